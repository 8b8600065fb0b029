import { fileURLToPath } from "node:url";
import { forkHelper, request, stop } from "./children.mjs";

const WORKER = fileURLToPath(new URL("./sub-worker.mjs", import.meta.url));

/** A measuring subscriber in its own process (see sub-worker.mjs). */
export async function startSubscriber({ url, filters, username, password, clientId = `bench-sub-${process.pid}`, root = "bbb" }) {
  const child = forkHelper(WORKER);
  // A busy machine (or a server just restarted) may take a while to answer the first CONNECT.
  const r = await request(child, { cmd: "start", cfg: { url, filters, username, password, clientId, root } }, 60_000);
  if (r.error) throw new Error(`subscriber: ${r.error}`);
  return {
    pid: child.pid,
    window: (since) => request(child, { cmd: "window", since }),
    stats: () => request(child, { cmd: "stats" }),
    transitions: (q) => request(child, { cmd: "transitions", ...q }).then((m) => m.transitions),
    countIn: (states, exclude) => request(child, { cmd: "countIn", states, exclude }).then((m) => m.n),
    results: (ids) => request(child, { cmd: "results", ids }).then((m) => m.results),
    close: () => stop(child),
  };
}
