import { api } from "./api.js";
import { streamsPage } from "./streams.js";
import { streamPage } from "./stream.js";
import { clusterPage } from "./cluster.js";

const HEALTH_REFRESH_MS = 5000;
const root = document.getElementById("app");
let leave = () => {};

// Hash routes: #/ the streams list, #/streams/<name> one stream, #/cluster the cluster. Each page returns
// how to leave it.
function route() {
  leave();
  const m = /^#\/streams\/([^/]+)$/.exec(location.hash);
  if (m) leave = streamPage(root, decodeURIComponent(m[1]));
  else if (location.hash === "#/cluster") leave = clusterPage(root);
  else leave = streamsPage(root);
}

async function health() {
  const badge = document.getElementById("health");
  try {
    const h = await api.health();
    badge.dataset.status = h.status;
    badge.textContent = h.reason ? `${h.status}: ${h.reason}` : `node ${h.status}`;
  } catch {
    badge.dataset.status = "DOWN";
    badge.textContent = "node unreachable";
  }
}

addEventListener("hashchange", route);
route();
health();
setInterval(health, HEALTH_REFRESH_MS);
