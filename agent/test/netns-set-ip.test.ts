import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import * as readline from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { createFakeRoot, type FakeRoot } from "../src/sim/fake-root.js";

/**
 * Real IP change in network namespaces (docs/protocol.md §"Commands and results": safe IP change). The broker runs
 * in one namespace with a bridge, two agents in two others joined by veth pairs created *inside*
 * the namespaces; every process is started with `ip netns exec`; the root namespace's interfaces
 * are never touched, and every namespace is deleted in afterAll.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(here, "../dist/main.js");
const BROKER = path.resolve(here, "helpers/netns-broker.mjs");
const topics = createTopics("bbb");
const tag = randomBytes(3).toString("hex");
const NS = { broker: `bbbt-${tag}-b`, a1: `bbbt-${tag}-a1`, a2: `bbbt-${tag}-a2` };

function ip(...args: string[]) {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
}

function namespacesWork(): string | null {
  if (!existsSync(MAIN)) return "agent/dist/main.js missing: run `npx tsc -b agent` first";
  const probe = `bbbt-${tag}-probe`;
  const r = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8" });
  if (r.error || r.status !== 0)
    return `cannot create network namespaces here (${r.error?.message ?? r.stderr.trim()})`;
  spawnSync("ip", ["netns", "del", probe]);
  return null;
}
const skipReason = namespacesWork();
if (skipReason) console.warn(`netns-set-ip: skipped: ${skipReason}`);

interface Msg {
  topic: string;
  payload: string;
}

describe.skipIf(skipReason !== null)("set-ip in network namespaces", () => {
  const procs: ChildProcess[] = [];
  const fakes: FakeRoot[] = [];
  const msgs: Msg[] = [];
  let broker: ChildProcess;
  let port = 0;

  const waitFor = (pred: (m: Msg) => boolean, timeoutMs: number, from = 0) =>
    new Promise<Msg>((resolve, reject) => {
      const t0 = Date.now();
      const tick = () => {
        const m = msgs.slice(from).find(pred);
        if (m) return resolve(m);
        if (Date.now() - t0 > timeoutMs)
          return reject(
            new Error(
              `timeout; last: ${msgs
                .slice(-3)
                .map((x) => x.topic + " " + x.payload.slice(0, 100))
                .join(" | ")}`,
            ),
          );
        setTimeout(tick, 50);
      };
      tick();
    });
  const json = (m: Msg) => JSON.parse(m.payload) as Record<string, unknown>;
  const send = (boardId: string, action: string, body: object) =>
    broker.stdin?.write(JSON.stringify({ topic: topics.cmd(boardId, action), payload: JSON.stringify(body) }) + "\n");

  const startAgent = async (ns: string, boardId: string) => {
    const fake = await createFakeRoot({ index: fakes.length + 100, layout: "none" });
    fakes.push(fake);
    const cfg = path.join(fake.root, "agent.json");
    await fsp.writeFile(cfg, "{}");
    const child = spawn("ip", ["netns", "exec", ns, process.execPath, MAIN], {
      env: {
        PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
        BBB_AGENT_CONFIG: cfg,
        BBB_BOARD_ID: boardId,
        BBB_MQTT_URL: `mqtt://10.77.0.1:${port}`,
        BBB_ROOT_PREFIX: fake.root,
        BBB_STATE_DIR: fake.stateDir,
        BBB_NET_BACKEND: "ip",
        BBB_NETWORK_CONFIRM_MS: "4000",
        BBB_HEARTBEAT_MS: "300",
        BBB_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    procs.push(child);
    await waitFor((m) => m.topic === topics.heartbeat(boardId), 15_000);
  };

  beforeAll(async () => {
    for (const ns of Object.values(NS)) ip("netns", "add", ns);
    ip("-n", NS.broker, "link", "set", "lo", "up");
    ip("-n", NS.broker, "link", "add", "br0", "type", "bridge");
    ip("-n", NS.broker, "addr", "add", "10.77.0.1/24", "dev", "br0");
    ip("-n", NS.broker, "link", "set", "br0", "up");
    for (const [i, ns] of [NS.a1, NS.a2].entries()) {
      // The veth pair is created inside the broker's namespace, its peer born in the agent's.
      ip("-n", NS.broker, "link", "add", `vb${i}`, "type", "veth", "peer", "name", "eth0", "netns", ns);
      ip("-n", NS.broker, "link", "set", `vb${i}`, "master", "br0");
      ip("-n", NS.broker, "link", "set", `vb${i}`, "up");
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "link", "set", "eth0", "up");
      ip("-n", ns, "addr", "add", `10.77.0.1${i + 1}/24`, "dev", "eth0");
      ip("-n", ns, "route", "add", "default", "via", "10.77.0.1");
    }
    broker = spawn("ip", ["netns", "exec", NS.broker, process.execPath, BROKER, "10.77.0.1", "0"], {
      cwd: here,
      stdio: ["pipe", "pipe", "inherit"],
    });
    procs.push(broker);
    const lines = readline.createInterface({ input: broker.stdout! });
    port = await new Promise<number>((resolve) => {
      lines.on("line", (l) => {
        const e = JSON.parse(l) as { event: string; port?: number; topic?: string; payload?: string };
        if (e.event === "listening") resolve(e.port ?? 0);
        if (e.event === "message") msgs.push({ topic: e.topic ?? "", payload: e.payload ?? "" });
      });
    });
    await Promise.all([startAgent(NS.a1, "nsagent1"), startAgent(NS.a2, "nsagent2")]);
  }, 60_000);

  afterAll(async () => {
    for (const p of procs.reverse()) {
      if (p.exitCode === null) p.kill("SIGKILL");
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const ns of Object.values(NS)) spawnSync("ip", ["netns", "del", ns]);
    for (const f of fakes) await f.cleanup();
  });

  it("moves an agent to a new address; its heartbeat shows it", async () => {
    expect(json(await waitFor((m) => m.topic === topics.heartbeat("nsagent1"), 5000)).ip).toBe("10.77.0.11");
    const sent = msgs.length;
    send("nsagent1", "set-ip", {
      id: "ns-ip-1",
      args: { mode: "manual", ip: "10.77.0.50", netmask: "255.255.255.0", gateway: "10.77.0.1" },
    });
    const done = await waitFor(
      (m) =>
        m.topic === topics.result("nsagent1", "ns-ip-1") && ["succeeded", "failed"].includes(String(json(m).status)),
      20_000,
    );
    expect(json(done)).toMatchObject({ status: "succeeded", exitCode: 0 });
    const from = msgs.indexOf(done);
    await waitFor((m) => m.topic === topics.heartbeat("nsagent1") && json(m).ip === "10.77.0.50", 5000, from);
    // The agent left with a clean DISCONNECT before the change: the broker never published its
    // will, and the new connection was born `online`.
    const states = msgs
      .slice(sent)
      .filter((m) => m.topic === topics.status("nsagent1"))
      .map((m) => json(m).state);
    expect(states).not.toContain("lost");
    expect(states).toContain("online");
  });

  it("reverts an address that cannot reach the broker and reports failed/AGENT_E_REVERTED", async () => {
    send("nsagent2", "set-ip", {
      id: "ns-ip-2",
      args: { mode: "manual", ip: "10.99.0.5", netmask: "255.255.255.0", gateway: "10.99.0.1" },
    });
    const done = await waitFor(
      (m) =>
        m.topic === topics.result("nsagent2", "ns-ip-2") && ["succeeded", "failed"].includes(String(json(m).status)),
      30_000,
    );
    expect(json(done)).toMatchObject({
      status: "failed",
      error: { code: "AGENT_E_REVERTED" },
      data: { reason: "reverted" },
    });
    expect(String(json(done).output)).toContain("ip addr add 10.77.0.12/24 dev eth0");
    const from = msgs.indexOf(done);
    await waitFor((m) => m.topic === topics.heartbeat("nsagent2") && json(m).ip === "10.77.0.12", 5000, from);
  });
});
