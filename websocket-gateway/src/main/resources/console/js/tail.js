import { api } from "./api.js";
import { h, replace, time } from "./dom.js";
import { decode } from "./decode.js";

const MAX_ROWS = 500;

/**
 * The live tail of one stream over the WebSocket API. It registers its own consumer (console-<random>) on
 * start and deregisters it on stop, on leaving the page and on closing the tab. Pausing keeps the socket
 * and holds arriving records until resumed, so nothing is skipped.
 */
export class Tail {
  constructor(stream, onConsumersChanged) {
    this.stream = stream;
    this.onConsumersChanged = onConsumersChanged;
    this.consumer = null;
    this.held = [];
    this.paused = false;
    this.count = 0;
    this.build();
    this.onPageHide = () => this.consumer && api.deregisterOnUnload(this.stream, this.consumer);
    addEventListener("pagehide", this.onPageHide);
  }

  build() {
    this.from = h("select", { id: "tail-from" }, ["LATEST", "TRIM_HORIZON", "AT_TIMESTAMP"].map(f => h("option", {}, f)));
    this.at = h("input", { id: "tail-timestamp", type: "datetime-local", step: 1 });
    this.startButton = h("button", { id: "tail-start", onclick: () => this.running() ? this.stop() : this.start() }, "Start");
    this.pauseButton = h("button", { id: "tail-pause", class: "plain", disabled: true, onclick: () => this.togglePause() }, "Pause");
    this.status = h("span", { id: "tail-status", class: "badge", "data-status": "closed" }, "stopped");
    this.counter = h("span", { id: "tail-count", class: "muted", "data-count": 0 }, "0 records");
    this.rows = h("tbody", { id: "tail-rows" });
    this.el = h("section", { class: "card", id: "tail" },
      h("h2", {}, "Live tail"),
      h("div", { class: "row" }, h("label", {}, "Start from", this.from), h("label", {}, "Timestamp", this.at),
        this.startButton, this.pauseButton,
        h("button", { id: "tail-clear", class: "plain", onclick: () => this.clear() }, "Clear"), this.status, this.counter),
      h("div", { class: "tail" }, h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, "Arrived"), h("th", {}, "Shard"), h("th", {}, "Partition key"),
          h("th", {}, "Sequence number"), h("th", {}, "Data"))),
        this.rows)));
  }

  running() {
    return this.consumer !== null;
  }

  async start() {
    const from = this.from.value;
    if (from === "AT_TIMESTAMP" && !this.at.value) {
      this.setStatus("closed", "pick a timestamp");
      return;
    }
    this.consumer = `console-${Math.random().toString(36).slice(2, 10)}`;
    this.startButton.textContent = "Stop";
    this.setStatus("connecting", "connecting");
    try {
      await api.registerConsumer(this.stream, this.consumer);
    } catch (e) {
      this.consumer = null;
      this.startButton.textContent = "Start";
      this.setStatus("closed", e.message);
      return;
    }
    this.onConsumersChanged();
    const timestamp = from === "AT_TIMESTAMP" ? new Date(this.at.value).getTime() : undefined;
    const ws = new WebSocket(api.subscribeUrl(this.stream, this.consumer, from, timestamp));
    this.ws = ws;
    ws.onopen = () => { this.setStatus("connected", "live"); this.pauseButton.disabled = false; };
    ws.onmessage = e => this.frame(JSON.parse(e.data));
    ws.onclose = e => { if (this.ws === ws) this.closed(e); };
  }

  frame(f) {
    if (f.type !== "records") return;
    for (const r of f.records) {
      const rec = { shardId: f.shardId, ...r };
      if (this.paused) this.held.push(rec); else this.show(rec);
    }
    if (this.paused) this.setStatus("paused", `paused, ${this.held.length} held`);
  }

  show(r) {
    const d = decode(r.data);
    this.rows.prepend(h("tr", { "data-kind": d.kind, "data-partition-key": r.partitionKey },
      h("td", {}, time(r.approximateArrivalTimestamp)), h("td", { class: "mono" }, r.shardId.replace("shardId-", "")),
      h("td", { class: "mono" }, r.partitionKey), h("td", { class: "mono" }, r.sequenceNumber),
      h("td", { class: "data" }, h("span", { class: "kind" }, d.kind, " "), d.text)));
    while (this.rows.children.length > MAX_ROWS) this.rows.lastChild.remove();
    this.count++;
    this.counter.dataset.count = this.count;
    this.counter.textContent = `${this.count} records`;
  }

  togglePause() {
    this.paused = !this.paused;
    this.pauseButton.textContent = this.paused ? "Resume" : "Pause";
    if (this.paused) {
      this.setStatus("paused", "paused");
    } else {
      this.held.splice(0).forEach(r => this.show(r));
      this.setStatus("connected", "live");
    }
  }

  clear() {
    replace(this.rows);
    this.count = 0;
    this.counter.dataset.count = 0;
    this.counter.textContent = "0 records";
  }

  closed(e) {
    const why = { 1000: "all shards ended", 1001: "node stopping", 4409: "taken over", 4404: "stream or consumer gone" }[e.code];
    this.setStatus("closed", `closed ${e.code}${why ? ` (${why})` : ""}`);
    this.stop();
  }

  /** Closes the socket and deregisters the console's consumer; resolves once it is deregistered. */
  async stop() {
    const consumer = this.consumer;
    this.consumer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.startButton.textContent = "Start";
    this.pauseButton.disabled = true;
    this.paused = false;
    this.pauseButton.textContent = "Pause";
    this.held.splice(0).forEach(r => this.show(r));
    if (this.status.dataset.status !== "closed") this.setStatus("closed", "stopped");
    if (consumer) {
      await api.deregisterConsumer(this.stream, consumer).catch(() => {});
      this.onConsumersChanged();
    }
  }

  leave() {
    removeEventListener("pagehide", this.onPageHide);
    return this.stop();
  }

  setStatus(status, text) {
    this.status.dataset.status = status;
    this.status.textContent = text;
  }
}
