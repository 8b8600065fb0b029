import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import mqtt from "mqtt";
import { pino } from "pino";
import { createLiveBoard, type LiveBoard } from "@bbb/agent/sim";
import { deriveBoardToken, loadOrCreateFleetSecret } from "@bbb/broker";
import { loadConfig } from "../config/load-config.js";
import { createServer } from "../create-server.js";
import { createLogger, logDestination } from "../log.js";
import { createDefaultExtensions } from "../default-extensions.js";
import { inspectLock } from "../ops/data-lock.js";
import { MANAGER_VERSION } from "../version.js";
import { demoStart } from "./attach.js";
import { DEMO_TYPES, planFleet } from "./fleet-plan.js";

/**
 * `npm run demo -- --boards 600`: the all-in-one server (or `--connect` to a running one, or the
 * server already running on the same data dir: attach.ts) plus
 * N simulated boards running the real agent code on fake roots with a recording exec, so a
 * newcomer sees a live fleet in seconds. Some boards die and come back now and then; a reboot
 * takes a board away for a few seconds and back with a new session, a set-ip changes its address.
 */
async function main(): Promise<void> {
  const opts = new Command("bbb-demo")
    .description("The server plus simulated boards running the real agent code (make demo)")
    .version(MANAGER_VERSION, "-V, --version")
    // Help and version exit 0; a bad option or value is a usage error: 2, as for every program here.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .option("--boards <n>", "simulated boards", "600")
    .option("--connect <mqttUrl>", "use a running server's broker instead of starting one")
    .option("--churn-s <s>", "every this many seconds a random board dies or comes back (0: never)", "5")
    .option("--sim-boards <n>", "more boards from the agent's fleet simulator (worker processes), for load", "0")
    .parse()
    .opts<{ boards: string; connect?: string; churnS: string; simBoards: string }>();
  const n = Math.max(1, Math.min(20_000, Number(opts.boards) || 600));
  const config = loadConfig({ env: process.env, cwd: process.cwd() });
  const log = createLogger(config.logLevel, logDestination(config.logFormat));
  const plan = planFleet(n);

  let mqttUrl = opts.connect ?? "";
  let stopServer: (() => Promise<void>) | null = null;
  // `make start` may already run on this data dir: attach to its broker rather than fail on the lock.
  const start = opts.connect ? null : demoStart(inspectLock(config.dataDir), config.dataDir, config.mqttPort);
  if (start?.kind === "refuse") {
    process.stderr.write(`demo: ${start.message}\n`);
    process.exit(2);
  }
  if (start?.kind === "attach") {
    mqttUrl = start.mqttUrl;
    process.stdout.write(
      `\n  attaching to the server running on ${config.dataDir} (pid ${start.pid}), MQTT ${mqttUrl}\n` +
        "  boards without a registered node show as unregistered; Ctrl-C stops only the simulated boards\n",
    );
  }
  const fleetSecret = await loadOrCreateFleetSecret(config.dataDir, config.fleetSecret);
  if (start?.kind === "own-server") {
    const server = createServer({ config, log, extensions: createDefaultExtensions(config) });
    const s = await server.start();
    stopServer = () => server.stop();
    mqttUrl = s.urls.mqtt;
    const m = server.manager;
    const who = { by: "demo", via: "internal" };
    for (const t of DEMO_TYPES) if (!m.registry.types.has(t.name)) m.service.editor.upsertType(t, who);
    const nodes = [...plan.boards.flatMap((b) => (b.node ? [b.node] : [])), ...plan.emptyNodes].filter(
      (x) => !m.registry.nodes.has(x.hostname),
    );
    if (nodes.length > 0) m.service.editor.upsertNodes(nodes, who);
    process.stdout.write(`\n  dashboard  ${s.urls.http}/\n  MQTT       ${s.urls.mqtt}\n`);
    if (s.generatedAdminPassword) process.stdout.write(`  admin password (shown once): ${s.generatedAdminPassword}\n`);
  }

  const dir = await mkdtemp(join(tmpdir(), "bbb-demo-"));
  const agentLog = pino({ level: "silent" });
  const running: LiveBoard[] = [];
  const t0 = Date.now();
  for (const b of plan.boards) {
    running.push(
      await createLiveBoard({
        dir: join(dir, String(b.index)),
        index: b.index,
        hostname: b.hostname,
        ip: b.ip,
        netmask: b.netmask,
        gateway: b.gateway,
        device: { device: b.device, details: "demo board" },
        mqttUrl,
        token: (id) => deriveBoardToken(fleetSecret, id),
        connect: mqtt.connect,
        log: agentLog,
      }),
    );
  }
  for (let i = 0; i < running.length; i += 50) await Promise.all(running.slice(i, i + 50).map((r) => r.start()));
  process.stdout.write(`  ${n} simulated boards started in ${Date.now() - t0} ms (fake roots in ${dir})\n\n`);

  // Extra load from the agent's own simulator (npm run sim), in worker processes of its own.
  let sim: ChildProcess | null = null;
  const simBoards = Math.max(0, Math.floor(Number(opts.simBoards) || 0));
  const simMain = resolve(dirname(fileURLToPath(import.meta.url)), "../../../agent/dist/sim/main.js");
  if (simBoards > 0 && existsSync(simMain)) {
    sim = fork(simMain, ["--boards", String(simBoards), "--url", mqttUrl, "--first-index", "100000"], {
      env: { ...process.env, BBB_FLEET_SECRET: fleetSecret },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    process.stdout.write(`  + ${simBoards} boards from the agent simulator (pid ${sim.pid})\n`);
  } else if (simBoards > 0) {
    process.stdout.write(`  agent simulator not built (${simMain}): --sim-boards ignored\n`);
  }

  const churnMs = Number(opts.churnS) * 1000;
  const churn =
    churnMs > 0
      ? setInterval(() => {
          const r = running[Math.floor(Math.random() * running.length)];
          if (!r) return;
          (r.up ? r.stop() : r.start()).catch((err: unknown) => log.warn({ err }, "demo churn failed"));
        }, churnMs)
      : null;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (churn) clearInterval(churn);
    if (sim && sim.exitCode === null) {
      const exited = new Promise((r) => sim?.once("exit", r));
      sim.kill("SIGINT");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    for (let i = 0; i < running.length; i += 100) await Promise.all(running.slice(i, i + 100).map((r) => r.close()));
    await stopServer?.();
    await rm(dir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
