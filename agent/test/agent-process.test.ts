import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { createFakeRoot, type FakeRoot } from "../src/sim/fake-root.js";
import { startBroker, startObserver } from "./helpers/broker.js";

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/main.js");
const topics = createTopics("bbb");

/** The real agent program (agent/dist/main.js, built by `tsc -b agent`) as a child process. */
function spawnAgent(env: Record<string, string>): ChildProcess & { exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return Object.assign(child, { exited });
}

describe.skipIf(!existsSync(MAIN))("agent process (needs `npx tsc -b agent` first)", () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let obs: Awaited<ReturnType<typeof startObserver>>;
  let fake: FakeRoot;
  let cfgFile: string;
  const children: ChildProcess[] = [];
  const env = () => ({
    BBB_AGENT_CONFIG: cfgFile,
    BBB_MQTT_URL: broker.url,
    BBB_ROOT_PREFIX: fake.root,
    BBB_STATE_DIR: fake.stateDir,
    BBB_HEARTBEAT_MS: "200",
    BBB_LOG_LEVEL: "warn",
  });

  beforeAll(async () => {
    broker = await startBroker();
    obs = await startObserver(broker.url, ["bbb/+/status", "bbb/+/heartbeat", "bbb/+/result/+"]);
    fake = await createFakeRoot({ index: 42 });
    cfgFile = path.join(fake.root, "agent-config.json");
    await fsp.writeFile(cfgFile, JSON.stringify({ services: [] }));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await obs?.close();
    await broker?.close();
    await fake?.cleanup();
  });

  it("SIGKILL: the retained status becomes lost at once (the will, not a keepalive expiry)", async () => {
    const child = spawnAgent(env());
    children.push(child);
    const id = fake.boardId;
    const hb = await obs.waitFor((m) => m.topic === topics.heartbeat(id));
    const session = JSON.parse(hb.payload).session as string;
    await obs.publish(topics.cmd(id, "ping"), JSON.stringify({ id: "proc-ping" }));
    await obs.waitFor(
      (m) => m.topic === topics.result(id, "proc-ping") && JSON.parse(m.payload).status === "succeeded",
    );
    const from = obs.received.length;
    const t0 = Date.now();
    child.kill("SIGKILL");
    const lost = await obs.waitFor(
      (m) => m.topic === topics.status(id) && JSON.parse(m.payload).state === "lost",
      5000,
      from,
    );
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(JSON.parse(lost.payload).session).toBe(session);
    await child.exited;
  });

  it("SIGTERM: offline is published and the process exits 0", async () => {
    const from = obs.received.length;
    const child = spawnAgent(env());
    children.push(child);
    const id = fake.boardId;
    const online = await obs.waitFor(
      (m) => m.topic === topics.status(id) && JSON.parse(m.payload).state === "online",
      10_000,
      from,
    );
    const session = JSON.parse(online.payload).session as string;
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    const off = await obs.waitFor(
      (m) => m.topic === topics.status(id) && JSON.parse(m.payload).state === "offline",
      5000,
      from,
    );
    expect(JSON.parse(off.payload).session).toBe(session);
  });

  it("an invalid config exits with code 2 and says why", async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...env(), BBB_HEARTBEAT_MS: "soon" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/heartbeatMs/);
  });
});
