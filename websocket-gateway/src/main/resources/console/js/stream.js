import { api } from "./api.js";
import { h, replace, rate, time, bytes } from "./dom.js";
import { RatePoller } from "./metrics.js";
import { LineChart } from "./chart.js";
import { shardMap } from "./shardmap.js";
import { putForm } from "./put.js";
import { Tail } from "./tail.js";
import { deleteStream } from "./remove.js";

const DESCRIBE_REFRESH_MS = 5000;
const SERIES = [{ key: "in", color: "#2563eb" }, { key: "out", color: "#16a34a", dash: "5 4" }];
// Outgoing = polling reads (riffle_shard_outgoing_*) plus pushes to subscribers (riffle_subscription_outgoing_*).
const DIRECTION = {
  riffle_shard_incoming_records_total: "in",
  riffle_shard_outgoing_records_total: "out",
  riffle_subscription_outgoing_records_total: "out",
};

// One stream: its summary, shard map, per-shard rates, consumers with lag, a put form and the live tail.
export function streamPage(root, name) {
  const summary = h("div");
  const map = h("div");
  const charts = h("div", { class: "charts", id: "charts" });
  const consumers = h("tbody", { id: "consumer-rows" });
  const tail = new Tail(name, () => refresh());
  const chartOf = new Map();
  let description;
  let lag = new Map();

  replace(root,
    h("p", {}, h("a", { href: "#/" }, "← Streams")),
    summary,
    h("section", { class: "card" }, h("h2", {}, "Shard map"), map),
    h("section", { class: "card" }, h("h2", {}, "Records per second by shard"),
      h("div", { class: "legend" }, h("span", { class: "in" }, "incoming"), h("span", { class: "out" }, "outgoing")), charts),
    h("section", { class: "card" }, h("h2", {}, "Consumers"), h("table", { id: "consumers" },
      h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Registered"), h("th", { class: "num" }, "Shards subscribed"),
        h("th", { class: "num" }, "Lag"))), consumers)),
    putForm(name),
    tail.el);

  async function refresh() {
    try {
      description = await api.describe(name);
    } catch (e) {
      replace(summary, h("h1", {}, name), h("p", { class: "error", id: "stream-error" }, e.message));
      return;
    }
    renderSummary();
    replace(map, ...shardMap(description.shards, await owners()));
    for (const s of description.shards) {
      if (!chartOf.has(s.shardId)) {
        const box = h("div", { class: "chart", "data-shard": s.shardId },
          h("div", { class: "row" }, h("span", { class: "mono grow" }, s.shardId), h("span", { class: "muted now" })));
        charts.append(box);
        chartOf.set(s.shardId, new LineChart(box, SERIES));
      }
    }
    renderConsumers();
  }

  // Clustered, which node holds each shard (GET /v1/cluster placement); standalone, or when this
  // credential may not describe the cluster, the map goes without.
  async function owners() {
    try {
      const view = await api.cluster();
      return view.mode === "clustered" ? { self: view.self, of: view.placement?.[name] ?? {} } : undefined;
    } catch {
      return undefined;
    }
  }

  function renderSummary() {
    const d = description;
    const open = d.shards.filter(s => s.state === "OPEN").length;
    replace(summary,
      h("div", { class: "row" },
        h("h1", { class: "grow", id: "stream-name" }, d.name, " ", h("span", { class: "badge", "data-status": d.status }, d.status)),
        h("button", { class: "danger", id: "delete-stream", onclick: async () => {
          const others = description.consumers.filter(c => c.name !== tail.consumer).length;
          if (await deleteStream(d.name, others, () => tail.stop())) location.hash = "#/";
        } }, "Delete stream")),
      h("p", { class: "muted" }, `${d.mode} · ${open} open shard${open === 1 ? "" : "s"} · retention ${d.retentionHours} h · ` +
        `created ${time(d.createdAt)} · per shard: writes ${limit(d.limits.writeRecordsPerSecond, " rec/s")}, ` +
        `${limit(d.limits.writeBytesPerSecond)}; each consumer ${limit(d.limits.consumerBytesPerSecond)}`));
  }

  function renderConsumers() {
    if (!description) return;
    replace(consumers, description.consumers.length === 0
      ? h("tr", {}, h("td", { colspan: 4, class: "muted" }, "No consumers registered."))
      : description.consumers.map(c => {
        const l = lag.get(c.name);
        return h("tr", { "data-consumer": c.name },
          h("td", { class: "mono" }, c.name, c.name === tail.consumer ? " (this console)" : ""),
          h("td", {}, time(c.createdAt)),
          h("td", { class: "num" }, l ? l.shards : 0),
          h("td", { class: "num", "data-lag": l ? l.max : "" }, l ? `${l.max} ms` : "not subscribed"));
      }));
  }

  const poller = new RatePoller(s => {
    const dir = s.labels.stream === name ? DIRECTION[s.name] : undefined;
    return dir ? `${s.labels.shard}\u0000${dir}` : undefined;
  }, (rates, samples) => {
    for (const [shard, chart] of chartOf) {
      if (rates.size) chart.push({ in: rates.get(`${shard}\u0000in`) ?? 0, out: rates.get(`${shard}\u0000out`) ?? 0 });
      chart.el.querySelector(".now").textContent =
        `in ${rate(rates.get(`${shard}\u0000in`), "rec")} · out ${rate(rates.get(`${shard}\u0000out`), "rec")}`;
    }
    lag = lagByConsumer(samples, name);
    renderConsumers();
  }).start();

  refresh();
  const timer = setInterval(refresh, DESCRIBE_REFRESH_MS);
  return () => { poller.stop(); clearInterval(timer); tail.leave(); };
}

// A limit of 0 is turned off.
function limit(value, unit) {
  if (!value) return "unlimited";
  return unit ? `${value}${unit}` : `${bytes(value)}/s`;
}

// The largest riffle_subscriber_lag_millis over a consumer's subscribed shards, and how many shards it holds.
function lagByConsumer(samples, stream) {
  const lag = new Map();
  for (const s of samples) {
    if (s.name !== "riffle_subscriber_lag_millis" || s.labels.stream !== stream) continue;
    const l = lag.get(s.labels.consumer) ?? { max: 0, shards: 0 };
    lag.set(s.labels.consumer, { max: Math.max(l.max, s.value), shards: l.shards + 1 });
  }
  return lag;
}
