import { api } from "./api.js";
import { h, replace } from "./dom.js";

const REFRESH_MS = 5000;

// The cluster page, from GET /v1/cluster only: the members with their status and addresses, the catalog's
// epoch and version, and which node holds each shard. Standalone, the node is the one member and holds all.
export function clusterPage(root) {
  const body = h("div", { id: "cluster" });
  replace(root, h("h1", {}, "Cluster"), body);

  async function refresh() {
    let view;
    try {
      view = await api.cluster();
    } catch (e) {
      replace(body, h("p", { class: "error", id: "cluster-error" }, e.message));
      return;
    }
    replace(body, ...(view.mode === "clustered" ? clustered(view) : standalone(view)));
  }

  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}

function standalone(view) {
  return [
    h("section", { class: "card", id: "cluster-summary", "data-mode": "standalone" },
      h("p", {}, h("span", { class: "badge", id: "cluster-mode" }, "standalone"), " ",
        "This node runs alone: it is the only member and holds every shard of every stream. ",
        "Started with ", h("code", {}, "--cluster true"), " and the other nodes as ", h("code", {}, "--cluster-members"),
        ", it would share the streams with them (README \u201cCluster\u201d).")),
    membersCard(view, new Map()),
  ];
}

function clustered(view) {
  const placement = view.placement ?? {};
  const shardsOf = new Map();
  for (const shards of Object.values(placement)) {
    for (const node of Object.values(shards)) shardsOf.set(node, (shardsOf.get(node) ?? 0) + 1);
  }
  return [
    h("section", { class: "card", id: "cluster-summary", "data-mode": "clustered" },
      h("p", {}, h("span", { class: "badge", id: "cluster-mode", "data-status": "UP" }, "clustered"), " ",
        h("b", {}, view.clusterName), ` · ${view.members.length} member${view.members.length === 1 ? "" : "s"} · `,
        h("span", { id: "cluster-catalog" }, `catalog epoch ${view.catalog?.epoch ?? "–"}, version ${view.catalog?.version ?? "–"}`))),
    membersCard(view, shardsOf),
    placementCard(view, placement),
  ];
}

function membersCard(view, shardsOf) {
  const clustered = view.mode === "clustered";
  return h("section", { class: "card" }, h("h2", {}, "Members"),
    h("table", { id: "members" },
      h("thead", {}, h("tr", {}, h("th", {}, "Node"), h("th", {}, "Status"), h("th", {}, "HTTP address"),
        h("th", {}, "Cluster address"), clustered && h("th", { class: "num" }, "Shards held"))),
      h("tbody", {}, view.members.map(m => h("tr", { "data-node": m.nodeId ?? "" },
        h("td", { class: "mono" }, m.nodeId ?? "(not announced yet)", m.nodeId === view.self ? " (this node)" : ""),
        h("td", {}, h("span", { class: "badge", "data-status": m.status, title: m.reason || "" }, m.status),
          m.reason ? h("div", { class: "muted" }, m.reason) : null),
        h("td", { class: "mono", "data-http": m.httpAddress ?? "" }, httpLink(m, view)),
        h("td", { class: "mono" }, m.address ?? "–"),
        clustered && h("td", { class: "num" }, shardsOf.get(m.nodeId) ?? 0))))));
}

// Another member's console is its own origin: a plain link, no request from this page.
function httpLink(member, view) {
  if (!member.httpAddress) return "–";
  if (member.nodeId === view.self) return member.httpAddress;
  return h("a", { href: `${location.protocol}//${member.httpAddress}/console/#/cluster` }, member.httpAddress);
}

// One row per stream, one column per member (plus one for owners that are no longer members): the shards
// each node holds. A shard placed on a node that left is served by nobody until it returns.
function placementCard(view, placement) {
  const streams = Object.keys(placement).sort();
  const members = view.members.filter(m => m.nodeId).map(m => m.nodeId);
  const gone = [...new Set(streams.flatMap(s => Object.values(placement[s])))].filter(n => !members.includes(n)).sort();
  const columns = [...members, ...gone];
  return h("section", { class: "card" }, h("h2", {}, "Shard placement"),
    streams.length === 0
      ? h("p", { class: "muted", id: "placement-empty" }, "No streams yet.")
      : h("table", { id: "placement" },
        h("thead", {}, h("tr", {}, h("th", {}, "Stream"),
          columns.map(n => h("th", { class: "mono", title: n }, short(n), gone.includes(n) ? " (not a member)" : "")))),
        h("tbody", {}, streams.map(s => h("tr", { "data-stream": s },
          h("td", {}, h("a", { href: `#/streams/${encodeURIComponent(s)}` }, s)),
          columns.map(n => {
            const shards = Object.entries(placement[s]).filter(([, node]) => node === n).map(([id]) => id).sort();
            return h("td", { class: "mono", "data-node": n, "data-count": shards.length, "data-gone": gone.includes(n) },
              shards.length ? shards.map(id => h("div", {}, id)) : "–");
          }))))));
}

// Node ids are long; the column header shows the start, the full id is in the members table.
function short(nodeId) {
  return nodeId.length > 8 ? `${nodeId.slice(0, 8)}…` : nodeId;
}
