import { h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";
const KEYSPACE = 2n ** 128n;
const COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#dc2626", "#4f46e5", "#65a30d"];

// Where a hash key lies in the key space, 0..1 (hash keys are 128-bit decimal strings: BigInt, not Number).
function fraction(key) {
  return Number((BigInt(key) * 1000000n) / KEYSPACE) / 1000000;
}

/**
 * The open shards' hash ranges as one bar, then every shard with its range, parents and children, and,
 * given `owners` ({self, of: {shardId: nodeId}}, clustered only), the node that holds it.
 */
export function shardMap(shards, owners) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("class", "shardbar");
  svg.setAttribute("viewBox", "0 0 1000 36");
  svg.setAttribute("preserveAspectRatio", "none");
  const color = new Map(shards.map((s, i) => [s.shardId, COLORS[i % COLORS.length]]));
  for (const s of shards.filter(x => x.state === "OPEN")) {
    const start = fraction(s.hashKeyRange.startingHashKey);
    const end = fraction(s.hashKeyRange.endingHashKey);
    const rect = document.createElementNS(NS, "rect");
    rect.setAttribute("x", String(start * 1000));
    rect.setAttribute("width", String(Math.max(1, (end - start) * 1000 - 2)));
    rect.setAttribute("height", "36");
    rect.setAttribute("fill", color.get(s.shardId));
    rect.setAttribute("data-shard", s.shardId);
    const title = document.createElementNS(NS, "title");
    title.textContent = `${s.shardId}: ${(start * 100).toFixed(1)}% – ${(end * 100).toFixed(1)}%`;
    rect.append(title);
    svg.append(rect);
  }
  const children = id => shards.filter(c => c.parentShardId === id || c.adjacentParentShardId === id).map(c => c.shardId);
  const swatch = id => h("span", { class: "badge", "data-shard-color": color.get(id) }, "■");
  const table = h("table", { id: "shards" },
    h("thead", {}, h("tr", {}, h("th", {}, "Shard"), h("th", {}, "State"), h("th", {}, "Hash range"),
      h("th", {}, "Parents"), h("th", {}, "Children"), owners && h("th", {}, "Owner node"))),
    h("tbody", {}, shards.map(s => h("tr", { "data-shard": s.shardId },
      h("td", { class: "mono" }, swatch(s.shardId), " ", s.shardId),
      h("td", {}, h("span", { class: "badge", "data-status": s.state }, s.state)),
      h("td", { class: "mono" }, `${pct(s.hashKeyRange.startingHashKey)} – ${pct(s.hashKeyRange.endingHashKey)}`),
      h("td", { class: "mono" }, [s.parentShardId, s.adjacentParentShardId].filter(Boolean).join(", ") || "–"),
      h("td", { class: "mono" }, children(s.shardId).join(", ") || "–"),
      owners && ownerCell(owners, s.shardId)))));
  // Presentation attributes are allowed by the page's CSP where inline styles are not; colour swatches via CSSOM.
  for (const el of table.querySelectorAll("[data-shard-color]")) el.style.color = el.dataset.shardColor;
  return [svg, table];
}

// A closed shard may have left the placement: nobody serves it any more.
function ownerCell(owners, shardId) {
  const node = owners.of[shardId];
  return h("td", { class: "mono owner", "data-owner": node ?? "" },
    node ? h("a", { href: "#/cluster", title: node }, node, node === owners.self ? " (this node)" : "") : "–");
}

function pct(key) {
  return `${(fraction(key) * 100).toFixed(2)}%`;
}
