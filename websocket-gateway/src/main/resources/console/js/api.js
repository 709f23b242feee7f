// The node's public native API (README "Native API reference"), same origin. Every POST sends JSON with
// Content-Type: application/json; errors become Error objects carrying the API's code and message.
// With auth on (README "Security") the node answers 401 until a token is given; it is kept in local storage.
const TOKEN_KEY = "riffle.token";
const token = () => localStorage.getItem(TOKEN_KEY);
const authHeaders = () => (token() ? { Authorization: `Bearer ${token()}` } : {});

function askToken() {
  const t = prompt("This node requires authentication: paste a token from its credentials file.");
  if (!t) return false;
  localStorage.setItem(TOKEN_KEY, t.trim());
  return true;
}

async function call(method, path, body) {
  const init = { method, headers: authHeaders() };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  if (res.status === 401 && askToken()) return call(method, path, body);
  if (res.status === 204) return null;
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const err = new Error(json?.error?.message ?? `${res.status} ${res.statusText}`);
    err.code = json?.error?.code;
    err.status = res.status;
    throw err;
  }
  return json;
}

const enc = encodeURIComponent;

export const api = {
  async streamNames() {
    const names = [];
    let page = { hasMore: true };
    while (page.hasMore) {
      const after = names.length ? `&exclusiveStartStreamName=${enc(names[names.length - 1])}` : "";
      page = await call("GET", `/v1/streams?limit=100${after}`);
      names.push(...page.streams);
    }
    return names;
  },
  describe: name => call("GET", `/v1/streams/${enc(name)}`),
  createStream: spec => call("POST", "/v1/streams", spec),
  deleteStream: (name, withConsumers) =>
    call("DELETE", `/v1/streams/${enc(name)}${withConsumers ? "?enforceConsumerDeletion=true" : ""}`),
  putRecords: (name, records) => call("POST", `/v1/streams/${enc(name)}/records`, { records }),
  registerConsumer: (stream, consumer) => call("POST", `/v1/streams/${enc(stream)}/consumers`, { name: consumer }),
  deregisterConsumer: (stream, consumer) => call("DELETE", `/v1/streams/${enc(stream)}/consumers/${enc(consumer)}`),
  cluster: () => call("GET", "/v1/cluster"),
  health: () => fetch("/health").then(r => r.json()),
  metrics: () => fetch("/metrics", { headers: authHeaders() }).then(r => r.text()),
  subscribeUrl(stream, consumer, from, timestamp) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ts = from === "AT_TIMESTAMP" ? `&timestamp=${enc(timestamp)}` : "";
    const auth = token() ? `&access_token=${enc(token())}` : "";
    return `${scheme}://${location.host}/v1/streams/${enc(stream)}/subscribe?consumer=${enc(consumer)}&from=${from}${ts}${auth}`;
  },
  // For pagehide: a keepalive request survives the page being unloaded.
  deregisterOnUnload(stream, consumer) {
    fetch(`/v1/streams/${enc(stream)}/consumers/${enc(consumer)}`, { method: "DELETE", keepalive: true, headers: authHeaders() });
  },
};
