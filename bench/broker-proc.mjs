import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";

/**
 * A broker in its own process for the broker-tier benchmark, so that its CPU and RSS can be
 * read from /proc/<pid>: `ours` is createBroker of @bbb/broker with the real user store and
 * the auth/ACL hooks; `aedes` is plain Aedes with a noDelay TCP server (the reference
 * point for the hooks' cost). argv: <ours|aedes> [redisUrl]. Replies over IPC.
 *
 * The event-loop delay monitor runs only between `eld-start` and `eld`: at 1 ms resolution it
 * is a timer waking the process 1,000 times a second, which cost ~0.03 core (a third of our
 * broker's CPU at 600 boards, none of it the broker's) when it ran during the CPU window.
 */
const [mode = "ours", redisUrl] = process.argv.slice(2);
const VIEWER = { username: "bench-viewer", password: "bench-viewer-password" };
let stopFn = async () => {};
const eld = monitorEventLoopDelay({ resolution: 1 });

async function startOurs() {
  const { createBroker, createUserStore } = await import("@bbb/broker");
  const { default: pino } = await import("pino");
  const log = pino({ level: process.env.BENCH_BROKER_LOG ?? "warn" });
  const dir = mkdtempSync(join(tmpdir(), "bench-broker-"));
  const users = createUserStore({ file: join(dir, "users.json"), log });
  await users.load();
  await users.upsert(VIEWER.username, "viewer", VIEWER.password);
  const fleetSecret = process.env.BENCH_FLEET_SECRET ?? "bench-fleet-secret";
  const broker = createBroker({ log, topicRoot: "bbb", fleetSecret, users, ...(redisUrl ? { cluster: { redisUrl } } : {}) });
  const { mqttPort } = await broker.start({ mqttPort: 0, bind: "127.0.0.1" });
  stopFn = async () => {
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return mqttPort;
}

async function startAedes() {
  const { Aedes } = await import("aedes");
  const aedes = await Aedes.createBroker({ maxClientsIdLength: 128 });
  aedes.on("error", () => {});
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on("error", () => {});
    aedes.handle(s);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  stopFn = async () => {
    server.close();
    await new Promise((r) => aedes.close(r));
  };
  return server.address().port;
}

process.on("message", async (msg) => {
  if (msg?.cmd === "eld-start") {
    eld.reset();
    eld.enable();
    process.send({ rid: msg.rid });
  }
  if (msg?.cmd === "eld") {
    eld.disable();
    process.send({ rid: msg.rid, p50: eld.percentile(50) / 1e6 - 1, p99: eld.percentile(99) / 1e6 - 1, max: eld.max / 1e6 - 1 });
    eld.reset();
  }
});
process.on("SIGTERM", () => {
  stopFn().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
process.on("disconnect", () => process.exit(0));

try {
  const port = mode === "aedes" ? await startAedes() : await startOurs();
  process.send({ type: "ready", port, viewer: mode === "ours" ? VIEWER : null });
} catch (e) {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
}
