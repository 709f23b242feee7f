import { api } from "./api.js";
import { h, replace, rate, bytes } from "./dom.js";
import { RatePoller } from "./metrics.js";
import { deleteStream } from "./remove.js";

const LIST_REFRESH_MS = 5000;

// The streams list: status, mode, shards, retention and live throughput, plus the create form.
export function streamsPage(root) {
  const rows = h("tbody", { id: "stream-rows" });
  const error = h("div", { class: "error", id: "create-error" });
  const form = createForm(error);
  replace(root,
    h("h1", {}, "Streams"),
    h("section", { class: "card" }, h("h2", {}, "Create a stream"), form, error),
    h("section", { class: "card" },
      h("table", { id: "streams" },
        h("thead", {}, h("tr", {},
          h("th", {}, "Name"), h("th", {}, "Status"), h("th", {}, "Mode"), h("th", { class: "num" }, "Shards"),
          h("th", { class: "num" }, "Retention"), h("th", { class: "num" }, "Incoming"), h("th", { class: "num" }, "Bytes in"),
          h("th", {}))),
        rows)));

  let rates = new Map();
  let streams = [];
  const render = () => replace(rows, streams.length === 0
    ? h("tr", {}, h("td", { colspan: 8, class: "muted" }, "No streams yet."))
    : streams.map(s => row(s, rates, () => refresh())));

  async function refresh() {
    try {
      const names = await api.streamNames();
      const described = await Promise.allSettled(names.map(n => api.describe(n)));
      streams = described.filter(d => d.status === "fulfilled").map(d => d.value);
      render();
    } catch (e) {
      error.textContent = e.message;
    }
  }

  const poller = new RatePoller(s => {
    if (s.name === "riffle_shard_incoming_records_total") return `${s.labels.stream}\u0000records`;
    if (s.name === "riffle_shard_incoming_bytes_total") return `${s.labels.stream}\u0000bytes`;
    return undefined;
  }, r => { rates = r; render(); }).start();
  refresh();
  const timer = setInterval(refresh, LIST_REFRESH_MS);
  return () => { poller.stop(); clearInterval(timer); };
}

function row(s, rates, onDeleted) {
  const del = h("button", { class: "plain", "data-action": "delete", onclick: async () => {
    if (await deleteStream(s.name, s.consumers.length)) onDeleted();
  } }, "Delete");
  return h("tr", { "data-stream": s.name },
    h("td", {}, h("a", { href: `#/streams/${encodeURIComponent(s.name)}` }, s.name)),
    h("td", {}, h("span", { class: "badge", "data-status": s.status }, s.status)),
    h("td", {}, s.mode),
    h("td", { class: "num" }, s.shards.filter(x => x.state === "OPEN").length),
    h("td", { class: "num" }, `${s.retentionHours} h`),
    h("td", { class: "num", "data-rate": "records" }, rate(rates.get(`${s.name}\u0000records`), "rec")),
    h("td", { class: "num", "data-rate": "bytes" }, rateBytes(rates.get(`${s.name}\u0000bytes`))),
    h("td", {}, del));
}

function rateBytes(perSecond) {
  return perSecond === undefined ? "–" : `${bytes(perSecond)}/s`;
}

function createForm(error) {
  const name = h("input", { name: "name", required: true, pattern: "[a-zA-Z0-9_.\\-]{1,128}", placeholder: "orders" });
  const shards = h("input", { name: "shardCount", type: "number", min: 1, value: 1 });
  const retention = h("input", { name: "retentionHours", type: "number", min: 24, max: 8760, value: 24 });
  const mode = h("select", { name: "mode" }, h("option", {}, "PROVISIONED"), h("option", {}, "ON_DEMAND"));
  const form = h("form", { id: "create-stream", class: "row", onsubmit: async e => {
    e.preventDefault();
    error.textContent = "";
    try {
      await api.createStream({ name: name.value, shardCount: Number(shards.value),
        retentionHours: Number(retention.value), mode: mode.value });
      location.hash = `#/streams/${encodeURIComponent(name.value)}`;
    } catch (err) {
      error.textContent = err.message;
    }
  } },
    h("label", { class: "grow" }, "Name", name), h("label", {}, "Shards", shards),
    h("label", {}, "Retention (hours)", retention), h("label", {}, "Mode", mode),
    h("button", { type: "submit" }, "Create"));
  return form;
}
