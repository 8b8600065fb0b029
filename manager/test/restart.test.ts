import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { pino } from "pino";
import { createUserStore } from "@bbb/broker";
import {
  ADMIN_PASSWORD,
  FLEET_SECRET,
  REPO,
  connectClient,
  freePort,
  request,
  startSimBoard,
  waitFor,
  type SimBoard,
} from "./helpers.js";

// The manager as a process, SIGKILLed and restarted against a broker that keeps running (the
// broker-only process holds the retained messages; docs/deployment.md §"Docker Swarm").
describe("manager SIGKILL and restart", () => {
  let brokerDir: string;
  let managerDir: string;
  let port: number;
  let broker: ChildProcess;
  let manager: ChildProcess | null = null;
  let admin: MqttClient;
  let managerState = "";
  const boards: SimBoard[] = [];

  const env = () => ({
    PATH: process.env.PATH,
    BBB_FLEET_SECRET: FLEET_SECRET,
    BBB_BIND: "127.0.0.1",
    BBB_LOG_LEVEL: "warn",
  });
  const startManager = () =>
    spawn(process.execPath, [join(REPO, "manager/dist/main.js")], {
      env: {
        ...env(),
        BBB_DATA_DIR: managerDir,
        BBB_MQTT_URL: `mqtt://127.0.0.1:${port}`,
        BBB_HTTP_PORT: "0",
        BBB_CMD_PORT: "0",
        BBB_SFTP_PORT: "0",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });

  beforeAll(async () => {
    brokerDir = await mkdtemp(join(tmpdir(), "bbb-broker-"));
    managerDir = await mkdtemp(join(tmpdir(), "bbb-manager-"));
    const users = createUserStore({ file: join(brokerDir, "users.json"), log: pino({ level: "silent" }) });
    await users.load();
    await users.upsert("admin", "admin", ADMIN_PASSWORD);
    port = await freePort();
    broker = spawn(process.execPath, [join(REPO, "broker/dist/main.js")], {
      env: { ...env(), BBB_DATA_DIR: brokerDir, BBB_MQTT_PORT: String(port) },
      stdio: ["ignore", "ignore", "inherit"],
    });
    admin = await waitFor(
      () => connectClient(`mqtt://127.0.0.1:${port}`, "admin", ADMIN_PASSWORD).catch(() => null),
      10_000,
      "broker up",
    );
    admin.on("message", (topic, payload) => {
      if (topic === "bbb/manager/status" && payload.byteLength > 0)
        managerState = (JSON.parse(payload.toString()) as { state: string }).state;
    });
    await admin.subscribeAsync("bbb/manager/status", { qos: 1 });
  }, 30_000);
  afterAll(async () => {
    for (const b of boards) await b.stop();
    await admin?.endAsync();
    manager?.kill("SIGKILL");
    broker?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    for (const b of boards) await b.root.cleanup();
    await rm(brokerDir, { recursive: true, force: true });
    await rm(managerDir, { recursive: true, force: true });
  });

  it("keeps nodes, types and history; live boards reappear within 2 s", async () => {
    manager = startManager();
    await waitFor(() => managerState === "online", 10_000, "manager online");
    for (let i = 0; i < 3; i++) boards.push(await startSimBoard(`mqtt://127.0.0.1:${port}`, 300 + i));
    expect((await request(admin, "types.upsert", { name: "mbtemp", colour: "#00ff00" })).status).toBe("ok");
    const b0 = boards[0] as SimBoard;
    const o = b0.root.options;
    const node = {
      hostname: o.hostname,
      ip: { mode: "manual", ip: o.ip, netmask: o.netmask, gateway: o.gateway },
      type: "mbtemp",
    };
    expect((await request(admin, "nodes.upsert", node)).status).toBe("ok");
    const alive = async () => {
      const r = await request(admin, "hosts.list", {}, 2000).catch(() => null);
      const items = (r?.data as { items: { id: string; state: string }[] } | undefined)?.items ?? [];
      return boards
        .slice(0, 3)
        .every((b) => items.some((h) => h.id === b.boardId && (h.state === "online" || h.state === "unregistered")));
    };
    await waitFor(() => alive(), 10_000, "boards listed");
    const ping = await request(admin, "hosts.command", { id: b0.boardId, action: "ping" });
    expect(ping).toMatchObject({ status: "ok", data: { status: "completed" } });
    // A run still going when the manager dies: a dead board, a long timeout, not awaited.
    const dead = await startSimBoard(`mqtt://127.0.0.1:${port}`, 399);
    boards.push(dead);
    await new Promise((r) => setTimeout(r, 500));
    await dead.stop();
    const pending = await request(admin, "commands.run", {
      target: { ids: [dead.boardId] },
      action: "ping",
      options: { includeDead: true, timeoutMs: 600_000, wait: false },
    });
    expect(pending).toMatchObject({ status: "ok", data: { status: "running" } });
    const runId = (pending.data as { id: string }).id;
    await new Promise((r) => setTimeout(r, 400)); // the history flush (200 ms) has run

    manager.kill("SIGKILL");
    await waitFor(() => managerState === "lost", 5000, "manager will");
    manager = startManager();
    await waitFor(() => managerState === "online", 10_000, "manager online again");
    const back = Date.now();
    await waitFor(() => alive(), 5000, "boards back");
    const ms = Date.now() - back;
    console.log(`live boards back in the registry ${ms} ms after the restarted manager came online`);
    expect(ms).toBeLessThan(2000);

    expect(await request(admin, "types.get", { name: "mbtemp" })).toMatchObject({
      status: "ok",
      data: { colour: "#00ff00" },
    });
    expect(await request(admin, "nodes.get", { hostname: o.hostname })).toMatchObject({
      status: "ok",
      data: { boardId: b0.boardId, state: "online" },
    });
    const hist = await request(admin, "history.query", { limit: 500 });
    const items = (hist.data as { items: { kind: string; message: string }[] }).items;
    expect(items.map((h) => h.message)).toEqual(
      expect.arrayContaining(["type mbtemp created", `node ${o.hostname} created`, "ping succeeded"]),
    );
    expect(await request(admin, "commands.get", { id: runId })).toMatchObject({
      status: "ok",
      data: { status: "interrupted" },
    });
  }, 60_000);
});
