import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentConfigSchema, createAgent } from "@bbb/agent";
import { createFakeRoot, createRecordingExec } from "@bbb/agent/sim";
import { deriveBoardToken } from "@bbb/broker";
import type { BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { pythonValidate, pythonValidatorAvailable, validateOpenApi, type Json } from "./front-openapi-check.js";
import { adminEnv, bbbctl } from "./cli-runner.js";
import { startTestServer } from "./helpers.js";

const ADMIN_PASSWORD = "admin-password-for-cli-tests";
const BIN = join(import.meta.dirname, "../dist/cli/main.js");
const FLEET_SECRET = "fleet-secret-for-cli-tests-0123456789";


describe("bbbctl against the real server", () => {
  let server: BbbServer;
  let dataDir: string;
  let env: Record<string, string>;
  const agents: { boardId: string; calls: string[][]; stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bbb-cli-e2e-"));
    const t = await startTestServer({ logLevel: "silent", fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD }, { dataDir, extensions: [createFrontExtension()] });
    server = t.server;
    const started = t.started;
    env = adminEnv(started.ports.cmd, { BBB_PASSWORD: ADMIN_PASSWORD });
    // Three real agents (fake root, recording exec) in sector 3 (10.128.30.0/24).
    for (let i = 0; i < 3; i++) {
      const root = await createFakeRoot({ index: 300 + i, ip: `10.128.30.${10 + i}`, hostname: `sim-s3-${i}` });
      const exec = createRecordingExec({
        root: root.root,
        mac: root.mac,
        hostname: root.options.hostname,
        ip: root.options.ip,
        gateway: root.options.gateway,
      });
      const agent = createAgent({
        config: {
          ...agentConfigSchema.parse({
            mqttUrls: [started.urls.mqtt],
            token: deriveBoardToken(FLEET_SECRET, root.boardId),
            heartbeatMs: 500,
            rootPrefix: root.root,
            stateDir: root.stateDir,
            logLevel: "silent",
          }),
          boardId: root.boardId,
        },
        log: pino({ level: "silent" }),
        exec: exec.exec,
        connect: mqtt.connect,
        interfaces: exec.interfaces,
        backoff: { baseMs: 200, capMs: 1000 },
      });
      await agent.start();
      agents.push({ boardId: root.boardId, calls: exec.calls, stop: () => agent.stop() });
    }
  });
  afterAll(async () => {
    for (const a of agents) await a.stop().catch(() => {});
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const waitHosts = async (pred: (items: { id: string; state: string }[]) => boolean) => {
    const until = Date.now() + 15_000;
    for (;;) {
      const r = await bbbctl(["hosts", "--sector", "3", "--json"], env);
      const items = (JSON.parse(r.stdout) as { items: { id: string; state: string }[] }).items;
      if (pred(items)) return items;
      if (Date.now() > until) throw new Error(`hosts never matched: ${r.stdout}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  };

  it("lists the sector's boards as a table and as JSON", async () => {
    await waitHosts((items) => items.filter((h) => h.state === "unregistered").length === 3);
    const table = await bbbctl(["hosts", "--sector", "3"], env);
    expect(table.code).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+HOSTNAME\s+STATE\s+SECTOR/);
    for (const a of agents) expect(table.stdout).toContain(a.boardId);
  });

  it("bulk-reboots a sector with per-board outcomes; a dead board makes the exit code 1", async () => {
    const dead = agents[2]!;
    await dead.stop();
    await waitHosts((items) => items.some((h) => h.id === dead.boardId && h.state === "offline"));
    const r = await bbbctl(["reboot", "--sector", "3", "--yes", "--timeout", "10"], env, { tty: true });
    expect(r.code).toBe(1);
    const rows = r.stdout
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(/\s+/));
    const status = Object.fromEntries(rows.map(([board, st]) => [board, st]));
    expect(Object.keys(status).sort()).toEqual(agents.map((a) => a.boardId).sort());
    expect(["accepted", "succeeded"]).toContain(status[agents[0]!.boardId]);
    expect(["accepted", "succeeded"]).toContain(status[agents[1]!.boardId]);
    expect(["accepted", "succeeded"]).not.toContain(status[dead.boardId]);
    expect(r.stderr).toContain("reboot [");
    expect(r.stderr).toMatch(/run \S+: completed/);
  });

  it("refuses a filter run without --yes, wrong credentials and a viewer's command", async () => {
    const noYes = await bbbctl(["reboot", "--sector", "3"], env);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain("--yes");
    const wrong = await bbbctl(["hosts"], { ...env, BBB_PASSWORD: "wrong-password" });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("MGR_E_UNAUTHENTICATED");
    const add = await bbbctl(
      ["call", "users.upsert", JSON.stringify({ username: "watcher", role: "viewer", password: "watcher-password" })],
      env,
    );
    expect(add.code).toBe(0);
    const viewer = { ...env, BBB_USER: "watcher", BBB_PASSWORD: "watcher-password" };
    expect((await bbbctl(["hosts"], viewer)).code).toBe(0);
    const denied = await bbbctl(["identify", agents[0]!.boardId], viewer);
    expect(denied.code).toBe(2);
    expect(denied.stderr).toContain("MGR_E_FORBIDDEN");
  });

  it("serves the REST API and a valid OpenAPI document of the real method table", async () => {
    const base = `http://127.0.0.1:${server.ports.http}/api`;
    const auth = { authorization: `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}` };
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Json;
    expect(validateOpenApi(doc)).toEqual([]);
    if (pythonValidatorAvailable()) expect(pythonValidate(doc)).toBe("ok");
    const ops = Object.values(doc.paths as Json).flatMap((item) =>
      Object.values(item as Json).map((op) => (op as Json).operationId),
    );
    expect(ops).toEqual(expect.arrayContaining(["hosts.list", "hosts.get", "webhooks.list", "maintenance.upsert"]));
    const list = await fetch(`${base}/hosts?sector=3&limit=10`, { headers: auth });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    expect((await fetch(`${base}/hosts/ffffffffffff`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/hosts`)).status).toBe(401);
  });

  // The built entry point as operators run it (`bin: bbbctl`): real process, real exit code.
  it.skipIf(!existsSync(BIN))("runs as a process from the build (skipped before `tsc -b manager`)", async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const p = spawn(process.execPath, [BIN, ...args], {
          env: { PATH: process.env.PATH, ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        let err = "";
        p.stdout.on("data", (d: Buffer) => (out += d.toString()));
        p.stderr.on("data", (d: Buffer) => (err += d.toString()));
        p.on("close", (code) => resolve({ code, out, err }));
      });
    const ok = await run(["hosts", "--sector", "3", "--json"]);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.out) as { items: unknown[] }).items.length).toBeGreaterThan(0);
    const bad = await run(["hosts", "nonexistent!"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("MGR_E_INVALID_PARAMS");
  });

  it("prints a board token equal to the broker's derivation", async () => {
    const r = await bbbctl(["token", "a0f6fd8b1c22"], { BBB_FLEET_SECRET: FLEET_SECRET });
    expect(r.stdout.trim()).toBe(deriveBoardToken(FLEET_SECRET, "a0f6fd8b1c22"));
    const fromDir = await bbbctl(["token", "a0f6fd8b1c22", "--data-dir", join(tmpdir(), "no-such-dir")], {});
    expect(fromDir.code).toBe(2);
  });

  it("manages maintenance windows, webhook rules and users", async () => {
    expect(
      (await bbbctl(["maintenance", "set", "rack3", "--sector", "3", "--for", "2h", "--reason", "rack move"], env))
        .code,
    ).toBe(0);
    const windows = await bbbctl(["maintenance", "list"], env);
    expect(windows.stdout).toMatch(/rack3\s+sector 3/);
    const hook = await bbbctl(
      ["webhooks", "set", "lost-45s", "--url", "http://127.0.0.1:9/hook", "--after", "45s", "--sector", "3"],
      { ...env, BBB_WEBHOOK_SECRET: "a-signing-secret" },
    );
    expect(hook.code).toBe(0);
    expect(JSON.parse(hook.stdout)).toMatchObject({ id: "lost-45s", delayMs: 45_000, hasSecret: true });
    expect((await bbbctl(["webhooks", "list"], env)).stdout).toMatch(/lost-45s\s+yes\s+lost\s+45s\s+3/);
    expect((await bbbctl(["maintenance", "rm", "rack3"], env)).stdout).toContain('"removed": true');
    expect((await bbbctl(["users", "list"], env)).stdout).toMatch(/admin\s+admin/);
  });

  it("edits types, nodes and sectors and reads a board's history", async () => {
    expect((await bbbctl(["types", "set", "mbtemp", "--description", "MBTemp boards"], env)).code).toBe(0);
    expect((await bbbctl(["types", "list"], env)).stdout).toContain("MBTemp boards");
    const node = await bbbctl(
      [
        "nodes",
        "set",
        "LA-RaCtrl:CO-Srv-1",
        "--type",
        "mbtemp",
        "--ip",
        "10.128.30.50",
        "--netmask",
        "255.255.255.0",
        "--gateway",
        "10.128.30.1",
      ],
      env,
    );
    expect(node.code).toBe(0);
    expect((await bbbctl(["nodes", "list"], env)).stdout).toContain("LA-RaCtrl:CO-Srv-1");
    expect((await bbbctl(["sectors", "set", "lab", "--cidrs", "192.168.7.0/24"], env)).code).toBe(0);
    expect((await bbbctl(["sectors", "get", "lab"], env)).stdout).toContain("192.168.7.0/24");
    const h = await bbbctl(["history", agents[0]!.boardId, "--json"], env);
    expect(h.code).toBe(0);
    expect((JSON.parse(h.stdout) as unknown[]).length).toBeGreaterThan(0);
  });

  it("set-ip takes netmask and gateway from the sector the address lies in", async () => {
    const a = agents[0]!;
    const r = await bbbctl(["set-ip", a.boardId, "--ip", "10.128.30.77", "--timeout", "20", "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(a.calls.flat().join(" ")).toMatch(/10\.128\.30\.77/);
    const applied = a.calls.map((c) => c.join(" ")).filter((c) => c.includes("10.128.30.77"));
    expect(applied.join("\n")).toMatch(/255\.255\.255\.0|\/24/);
    expect(applied.join("\n")).toMatch(/10\.128\.30\.1\b/);
    const outside = await bbbctl(["set-ip", a.boardId, "--ip", "192.0.2.10"], env);
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/no sector subnet/);
  });
});
