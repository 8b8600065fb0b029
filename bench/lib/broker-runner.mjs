import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { forkHelper, request, stop, waitMessage } from "./children.mjs";
import { startMosquitto } from "./mosquitto.mjs";
import { START_FLAGS } from "./node-flags.mjs";

const PROC = fileURLToPath(new URL("../broker-proc.mjs", import.meta.url));

function referenceProc() {
  const root = process.env.BENCH_REFERENCE_ROOT;
  const proc = root ? join(root, "bench", "broker-proc.mjs") : "";
  if (!root || !existsSync(proc)) throw new Error("broker kind ours-ref needs BENCH_REFERENCE_ROOT: a built checkout of the previous design");
  return proc;
}

/**
 * Starts one broker under test: `mosquitto`, `aedes` (plain) or `ours` (createBroker with hooks;
 * `floor` a bare Node relay, floor-broker.mjs;
 * `ours-ref` the same from a reference build), optionally clustered over Redis. Returns its URL, PID and the subscriber credentials.
 */
export async function startBroker(kind, { redisUrl, cpuProf, port } = {}) {
  if (kind === "mosquitto") {
    const m = await startMosquitto();
    return { kind, pid: m.pid, url: m.url, viewer: {}, stop: m.stop, profStart: async () => null, profStop: async () => null, heapStart: async () => null, heapStop: async () => null, eldStart: async () => null, gcReset: async () => null, gc: async () => null, eld: async () => null };
  }
  // Ours runs with the product's node flags (as the image runs the broker role), and so does the
  // floor under it; plain Aedes is the reference point and runs with Node's defaults.
  const execArgv = ["--max-old-space-size=4096", ...(kind.startsWith("ours") || kind === "floor" ? START_FLAGS : [])];
  if (cpuProf) execArgv.push("--cpu-prof", `--cpu-prof-dir=${cpuProf}`);
  // BENCH_BROKER_NODE_ARGS: extra node flags for our broker (e.g. `--trace-gc-nvp`), its output
  // appended to BENCH_BROKER_OUT=<file>: diagnosis, as BENCH_SERVER_NODE_ARGS for the server.
  if (kind.startsWith("ours")) execArgv.push(...(process.env.BENCH_BROKER_NODE_ARGS ?? "").split(" ").filter(Boolean));
  const logFile = kind.startsWith("ours") ? process.env.BENCH_BROKER_OUT : undefined;
  const stdout = logFile ? openSync(logFile, "a") : undefined;
  // `ours-ref`: our broker as a built checkout of the previous design has it
  // (BENCH_REFERENCE_ROOT, as for the whole system), measured in the same run as this build's.
  const [proc, mode] = kind === "ours-ref" ? [referenceProc(), "ours"] : [PROC, kind];
  const child = forkHelper(proc, redisUrl ? [mode, redisUrl] : [mode], { execArgv, ...(stdout !== undefined ? { stdout } : {}), ...(port ? { env: { BENCH_BROKER_PORT: String(port) } } : {}) });
  if (stdout !== undefined) closeSync(stdout);
  const ready = await waitMessage(child, (m) => m?.type === "ready", 20_000, `${kind} broker ready`);
  return {
    kind,
    pid: child.pid,
    url: { host: "127.0.0.1", port: ready.port },
    viewer: ready.viewer ?? {},
    stop: () => stop(child, 5000),
    profStart: () => request(child, { cmd: "prof-start" }, 5000),
    profStop: (file) => request(child, { cmd: "prof-stop", file }, 30_000),
    heapStart: (opts = {}) => request(child, { cmd: "heap-start", ...opts }, 5000),
    heapStop: (file) => request(child, { cmd: "heap-stop", file }, 60_000),
    eldStart: () => request(child, { cmd: "eld-start" }, 5000).catch(() => null),
    gcReset: () => request(child, { cmd: "gc-reset" }, 5000).catch(() => null),
    gc: () => request(child, { cmd: "gc" }, 5000).catch(() => null),
    eld: () => request(child, { cmd: "eld" }, 5000).catch(() => null),
  };
}
