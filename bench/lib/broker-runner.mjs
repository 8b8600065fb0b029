import { fileURLToPath } from "node:url";
import { forkHelper, request, stop, waitMessage } from "./children.mjs";
import { startMosquitto } from "./mosquitto.mjs";
import { START_FLAGS } from "./node-flags.mjs";

const PROC = fileURLToPath(new URL("../broker-proc.mjs", import.meta.url));

/**
 * Starts one broker under test: `mosquitto`, `aedes` (plain) or `ours` (createBroker with hooks),
 * optionally clustered over Redis. Returns its URL, PID and the subscriber credentials.
 */
export async function startBroker(kind, { redisUrl, cpuProf, port } = {}) {
  if (kind === "mosquitto") {
    const m = await startMosquitto();
    return { kind, pid: m.pid, url: m.url, viewer: {}, stop: m.stop, profStart: async () => null, profStop: async () => null, eldStart: async () => null, gcReset: async () => null, gc: async () => null, eld: async () => null };
  }
  // Ours runs with the product's node flags (as the image runs the broker role); plain Aedes is
  // the reference point and runs with Node's defaults.
  const execArgv = ["--max-old-space-size=4096", ...(kind.startsWith("ours") ? START_FLAGS : [])];
  if (cpuProf) execArgv.push("--cpu-prof", `--cpu-prof-dir=${cpuProf}`);
  const child = forkHelper(PROC, redisUrl ? [kind, redisUrl] : [kind], { execArgv, ...(port ? { env: { BENCH_BROKER_PORT: String(port) } } : {}) });
  const ready = await waitMessage(child, (m) => m?.type === "ready", 20_000, `${kind} broker ready`);
  return {
    kind,
    pid: child.pid,
    url: { host: "127.0.0.1", port: ready.port },
    viewer: ready.viewer ?? {},
    stop: () => stop(child, 5000),
    profStart: () => request(child, { cmd: "prof-start" }, 5000),
    profStop: (file) => request(child, { cmd: "prof-stop", file }, 30_000),
    eldStart: () => request(child, { cmd: "eld-start" }, 5000).catch(() => null),
    gcReset: () => request(child, { cmd: "gc-reset" }, 5000).catch(() => null),
    gc: () => request(child, { cmd: "gc" }, 5000).catch(() => null),
    eld: () => request(child, { cmd: "eld" }, 5000).catch(() => null),
  };
}
