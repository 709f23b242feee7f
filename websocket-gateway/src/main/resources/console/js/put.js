import { api } from "./api.js";
import { h } from "./dom.js";

// Puts one test record, as text or as a JSON value, and says which shard took it.
export function putForm(stream) {
  const key = h("input", { id: "put-key", required: true, value: "console" });
  const as = h("select", { id: "put-as" }, h("option", { value: "text" }, "text"), h("option", { value: "json" }, "JSON"));
  const data = h("textarea", { id: "put-data", placeholder: "hello, or {\"item\": \"book\"}" });
  const result = h("div", { id: "put-result", class: "ok" });
  const form = h("form", { id: "put-record", onsubmit: async e => {
    e.preventDefault();
    result.className = "ok";
    result.textContent = "";
    try {
      const record = { partitionKey: key.value };
      record[as.value] = as.value === "json" ? JSON.parse(data.value) : data.value;
      const answer = await api.putRecords(stream, [record]);
      const r = answer.records[0];
      if (r.errorCode) throw new Error(`${r.errorCode}: ${r.errorMessage}`);
      result.textContent = `Stored in ${r.shardId} as ${r.sequenceNumber}`;
    } catch (err) {
      result.className = "error";
      result.textContent = err.message;
    }
  } },
    h("div", { class: "row" }, h("label", { class: "grow" }, "Partition key", key), h("label", {}, "As", as)),
    h("label", {}, "Data", data),
    h("div", { class: "row" }, h("button", { type: "submit" }, "Put record"), result));
  return h("section", { class: "card" }, h("h2", {}, "Put a test record"), form);
}
