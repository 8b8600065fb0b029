import { mkdirSync } from "node:fs";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { keepLog, spawnProgram, stop, waitOutput } from "./children.mjs";
import { startRedis } from "./redis.mjs";
import { START_FLAGS } from "./node-flags.mjs";
import { ADMIN_PASSWORD, FLEET_SECRET } from "./server-runner.mjs";

const BROKER_MAIN = fileURLToPath(new URL("../../broker/dist/main.js", import.meta.url));
const REDIS_PASSWORD = "bench-redis-password-0123456789";
const run = promisify(execFile);

/** `redis-cli` against the benchmark's Redis; the reply's `key:value` lines as an object. */
async function redisInfo(port, args) {
  const { stdout } = await run("redis-cli", ["-p", String(port), "-a", REDIS_PASSWORD, "--no-auth-warning", ...args], { timeout: 10_000 });
  return Object.fromEntries(
    stdout
      .split("\n")
      .map((l) => l.trim().split(":"))
      .filter((kv) => kv.length === 2),
  );
}

/** Redis's share of the window: pattern subscriptions (none with the routing by filter sets), PUBLISH calls and their cost. */
async function redisFigures(port) {
  const [stats, cmds, clients] = await Promise.all([redisInfo(port, ["INFO", "stats"]), redisInfo(port, ["INFO", "commandstats"]), redisInfo(port, ["INFO", "clients"])]);
  const cmd = (name) => Object.fromEntries((cmds[`cmdstat_${name}`] ?? "").split(",").map((kv) => kv.split("=")).map(([k, v]) => [k, Number(v)]));
  return {
    pubsubPatterns: Number(stats.pubsub_patterns),
    publish: { calls: cmd("publish").calls ?? 0, usecPerCall: cmd("publish").usec_per_call ?? null },
    commands: Number(stats.total_commands_processed),
    outputBufferDisconnections: stats.client_output_buffer_limit_disconnections === undefined ? null : Number(stats.client_output_buffer_limit_disconnections),
    clients: Number(clients.connected_clients),
  };
}

/**
 * docker-stack.yml's clustered tier as processes on loopback, for startServer's `broker`:
 * Debian's redis-server as the stack runs it (append-only file, no snapshots, a password), and
 * `replicas` broker replicas (`BBB_ROLE=broker`, broker/dist/main.js with the stack's environment
 * and the product's node flags) sharing it. The manager then runs with `BBB_ROLE=manager` against
 * the last replica (BBB_MQTT_URL, BBB_MQTT_WS_URL), the boards alternate between the replicas
 * (agents list every replica in their mqttUrls) and the measuring subscriber logs in on the
 * first one, so the beats of half the boards and every registry view cross Redis. No open-file
 * limit is raised: each process must hold its share under this machine's limit.
 */
export function clusterTier({ replicas = 2 } = {}) {
  return async (dataDir) => {
    const started = [];
    const stopStarted = async () => {
      for (const s of started.reverse()) await s.stop();
    };
    try {
      const redis = await startRedis({ appendonly: true, password: REDIS_PASSWORD });
      started.push({
        stop: async () => {
          keepLog(`redis-${redis.pid}`, redis.child);
          await redis.stop();
        },
      });
      const reps = [];
      for (let i = 1; i <= replicas; i++) {
        const dir = join(dataDir, `broker-${i}`);
        mkdirSync(dir, { recursive: true });
        // BENCH_REPLICA_NODE_ARGS: extra node flags for the replicas (e.g. `--cpu-prof --cpu-prof-dir=<dir>`).
        const extra = (process.env.BENCH_REPLICA_NODE_ARGS ?? "").split(" ").filter(Boolean);
        const child = spawnProgram(process.execPath, [...START_FLAGS, ...extra, BROKER_MAIN], {
          cwd: dir,
          env: {
            BBB_ROLE: "broker",
            BBB_REDIS_URL: redis.url,
            BBB_MQTT_PORT: "0",
            BBB_HTTP_PORT: "0",
            BBB_BIND: "127.0.0.1",
            BBB_DATA_DIR: dir,
            BBB_TOPIC_ROOT: "bbb",
            BBB_LOG_LEVEL: process.env.BENCH_REPLICA_LOG_LEVEL ?? "info",
            BBB_FLEET_SECRET: FLEET_SECRET,
            BBB_ADMIN_PASSWORD: ADMIN_PASSWORD,
          },
        });
        started.push({
          stop: async () => {
            await stop(child, 15_000);
            keepLog(`replica-${i}-${child.pid}`, child);
          },
        });
        const m = await waitOutput(child, /"mqttPort":(\d+).*"httpPort":(\d+).*"msg":"broker ready"/, 30_000, `replica ${i} ready`);
        reps.push({ name: `replica ${i}`, child, url: { host: "127.0.0.1", port: Number(m[1]) }, httpPort: Number(m[2]) });
      }
      const managers = reps[reps.length - 1];
      let resetAt = Date.now();
      const all = [...reps, { name: "redis", child: redis.child }];
      return {
        processes: all.map((p) => ({ name: p.name, pid: p.child.pid })),
        env: { BBB_ROLE: "manager", BBB_MQTT_URL: `mqtt://127.0.0.1:${managers.url.port}`, BBB_MQTT_WS_URL: `ws://127.0.0.1:${managers.httpPort}/mqtt` },
        boardUrls: reps.map((r) => r.url),
        viewerUrl: reps[0].url,
        keepFileLimit: true,
        diagnostics: {
          /** Starts Redis's counters afresh (the measuring window). */
          reset: async () => {
            await run("redis-cli", ["-p", String(redis.port), "-a", REDIS_PASSWORD, "--no-auth-warning", "CONFIG", "RESETSTAT"], { timeout: 10_000 });
            resetAt = Date.now();
          },
          /** Redis's figures since reset(), and the error lines each replica logged. */
          read: async () => ({
            seconds: (Date.now() - resetAt) / 1000,
            redis: await redisFigures(redis.port),
            replicaErrors: Object.fromEntries(reps.map((r) => [r.name, (r.child.stdoutText ?? "").split("\n").filter((l) => /"level":[56]0/.test(l)).length])),
          }),
        },
        /** Every replica has taken the manager's user store (the admin can log in everywhere). */
        ready: () => Promise.all(reps.map((r) => waitOutput(r.child, /user store taken from the manager/, 30_000, `${r.name} taking the manager's users`))),
        dead() {
          const d = all.find((p) => p.child.exitCode !== null || p.child.signalCode !== null);
          if (!d) return null;
          const out = `${d.child.stdoutText ?? ""}\n${d.child.stderrText ?? ""}`;
          const why = out.split("\n").find((l) => /Error|"level":[56]0/.test(l)) ?? `exit ${d.child.exitCode ?? d.child.signalCode}`;
          return `${d.name}: ${why.trim().slice(0, 300)}`;
        },
        stop: stopStarted,
      };
    } catch (e) {
      await stopStarted();
      throw e;
    }
  };
}
