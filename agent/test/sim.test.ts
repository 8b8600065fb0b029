import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBroker, startObserver } from "./helpers/broker.js";

const SIM = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/sim/main.js");

/** The simulator as operators run it: boards in worker processes, faults on stdin, clean stop on SIGINT. */
describe.skipIf(!existsSync(SIM))("fleet simulator (needs `npx tsc -b agent` first)", () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let obs: Awaited<ReturnType<typeof startObserver>>;
  beforeAll(async () => {
    broker = await startBroker();
    obs = await startObserver(broker.url, ["bbb/+/status"]);
  });
  afterAll(async () => {
    await obs?.close();
    await broker?.close();
  });

  it("ramps boards up, kills and freezes on request (will fires), and stops with offline", async () => {
    const sim = spawn(
      process.execPath,
      [SIM, "--boards", "4", "--workers", "2", "--url", broker.url, "--first-index", "900"],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    const out: string[] = [];
    readline.createInterface({ input: sim.stdout }).on("line", (l) => out.push(l));
    const exited = new Promise<number | null>((resolve) => sim.on("exit", resolve));
    try {
      const state = (s: string) => (m: { topic: string; payload: string }) =>
        m.topic.endsWith("/status") && JSON.parse(m.payload).state === s;
      await obs.waitFor(() => new Set(obs.received.filter(state("online")).map((m) => m.topic)).size >= 4, 20_000);
      await new Promise<void>((resolve) => {
        const t = setInterval(() => out.some((l) => l === "ramp done") && (clearInterval(t), resolve()), 50);
      });
      sim.stdin.write("kill 1\n");
      const killed = await obs.waitFor(state("lost"), 5000);
      sim.stdin.write("freeze 1\n");
      // A frozen board keeps its socket open: the broker notices at 1.5 × keepalive (2 s).
      const frozen = await obs.waitFor((m) => state("lost")(m) && m.topic !== killed.topic, 8000);
      expect(frozen.topic).not.toBe(killed.topic);
      const from = obs.received.length;
      sim.kill("SIGINT");
      expect(await exited).toBe(0);
      const offline = obs.received
        .slice(from)
        .filter(state("offline"))
        .map((m) => m.topic);
      expect(offline).toHaveLength(2);
      expect(offline).not.toContain(killed.topic);
      expect(offline).not.toContain(frozen.topic);
      expect(out.some((l) => l.startsWith("kill: "))).toBe(true);
    } finally {
      if (sim.exitCode === null) sim.kill("SIGKILL");
    }
  }, 60_000);
});
