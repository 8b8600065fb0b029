import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer as createNetServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeSchema, type Node } from "@bbb/shared";
import { scaled, writeFigure } from "../../scripts/reliability.mjs";
import { lineClient, type LineClient } from "./front-fixtures.js";
import mqtt, { type MqttClient } from "mqtt";
import { deriveBoardToken } from "@bbb/broker";
import { ADMIN_PASSWORD, FLEET_SECRET, REPO, topics, waitFor } from "./helpers.js";

/**
 * RELIABILITY.md §"Manager SIGKILLed during registry writes, bulk commands and imports" — "Manager SIGKILLed at random moments during registry writes, bulk commands and CSV
 * imports": the all-in-one server as a process, killed REPS times at a random moment while a
 * client writes. After each restart every write the client saw acknowledged is there, unchanged;
 * nothing half-written is visible; a bulk run that was in flight is reported `interrupted`.
 * (CSV import = nodes.import, what `bbbctl import` sends: applied in one transaction.)
 */
const MAIN = join(REPO, "manager/dist/main.js");
const REPS = scaled(20, 4);

const nodeOf = (hostname: string, i: number): Node =>
  nodeSchema.parse({
    hostname,
    ip: { mode: "manual", ip: `10.128.${1 + (i % 200)}.${10 + (i % 200)}`, netmask: "255.255.255.0", gateway: `10.128.${1 + (i % 200)}.1` },
    type: "mbtemp",
    pvPrefixes: [`SI-${i}:`],
    notes: `written by repetition; payload ${"x".repeat(200)}`,
  });

async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const srv = createNetServer();
    const ok = await new Promise<boolean>((r) => {
      srv.once("error", () => r(false));
      srv.listen(port, "127.0.0.1", () => r(true));
    });
    if (ok) {
      await new Promise((r) => srv.close(r));
      return port;
    }
  }
}

describe.skipIf(!existsSync(MAIN))("manager SIGKILLed during writes (needs `npx tsc -b manager`)", () => {
  let dataDir: string;
  let mqttPort: number;
  let cmdPort: number;
  let proc: ChildProcess | null = null;
  const boards: { boardId: string; c: MqttClient; timer: NodeJS.Timeout }[] = [];
  const acked = new Map<string, Node>();
  const importedAcked = new Set<string>();
  const inFlightImports: string[][] = [];
  const fig = { kills: 0, "writes acknowledged": 0, "writes acknowledged then lost": 0, "half-written rows seen": 0, "runs in flight at a kill": 0, "imports in flight at a kill": 0, "imports half applied": 0, "runs reported interrupted": 0, "restart to answering (ms, max)": 0 };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bbb-rel-kill-"));
    // Fixed across restarts, and below Linux's ephemeral range (32768+), so that servers other
    // tests bind on port 0 cannot take them while this manager is down.
    mqttPort = await freeLowPort();
    cmdPort = await freeLowPort();
  });
  afterAll(async () => {
    for (const b of boards) {
      clearInterval(b.timer);
      await b.c.endAsync(true).catch(() => undefined);
    }
    proc?.kill("SIGKILL");
    await rm(dataDir, { recursive: true, force: true });
    writeFigure("fault-manager-kill", {
      kind: "fault",
      title: "Manager SIGKILLed during registry writes, bulk commands and imports",
      test: "manager/test/reliability-manager-kill.test.ts",
      claim: "After every restart each acknowledged write is there unchanged, nothing half-written is visible, and a run in flight is `interrupted`.",
      figures: { repetitions: REPS, ...fig },
    });
  });

  async function start(): Promise<LineClient> {
    const t0 = Date.now();
    proc = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        BBB_DATA_DIR: dataDir,
        BBB_FLEET_SECRET: FLEET_SECRET,
        BBB_ADMIN_PASSWORD: ADMIN_PASSWORD,
        BBB_BIND: "127.0.0.1",
        BBB_MQTT_PORT: String(mqttPort),
        BBB_CMD_PORT: String(cmdPort),
        BBB_HTTP_PORT: "0",
        BBB_SFTP_PORT: "0",
        BBB_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    const c = await waitFor(() => lineClient(cmdPort).catch(() => null), 60_000, "command socket");
    c.send({ jsonrpc: "2.0", id: "auth", method: "auth", params: { username: "admin", password: ADMIN_PASSWORD } });
    expect((await c.next((m) => m.id === "auth", 10_000)).result).toMatchObject({ role: "admin" });
    fig["restart to answering (ms, max)"] = Math.max(fig["restart to answering (ms, max)"], Date.now() - t0);
    return c;
  }

  let seq = 0;
  const call = (c: LineClient, method: string, params: unknown, timeoutMs = 10_000) => {
    const id = `c${seq++}`;
    c.send({ jsonrpc: "2.0", id, method, params });
    return Promise.race([c.next((m) => m?.id === id, timeoutMs), gone(c)]);
  };
  /** Rejects when the connection closes (the server was killed): no waiting out a timeout. */
  const gone = (c: LineClient) => c.closed.then(() => Promise.reject(new Error("connection closed")));

  /** What the restarted server holds must include every acknowledged write, byte for byte. */
  async function verify(c: LineClient, runIds: string[]): Promise<void> {
    const items: { node: Node }[] = [];
    for (let offset = 0; ; offset += 500) {
      const r = await call(c, "nodes.list", { offset, limit: 500 });
      if (!r.result) throw new Error(`nodes.list: ${JSON.stringify(r.error)}`);
      items.push(...(r.result.items as { node: Node }[]));
      if (offset + 500 >= r.result.total) break;
    }
    const held = new Map<string, Node>();
    for (const it of items) {
      const n = it.node;
      const p = nodeSchema.safeParse(n);
      if (!p.success) fig["half-written rows seen"]++;
      held.set(n.hostname, n);
    }
    for (const [h, n] of acked) {
      const got = held.get(h);
      if (!got || JSON.stringify(nodeSchema.parse(got)) !== JSON.stringify(n)) fig["writes acknowledged then lost"]++;
    }
    for (const h of importedAcked) if (!held.has(h)) fig["writes acknowledged then lost"]++;
    // An import the kill interrupted is there completely or not at all.
    for (const rows of inFlightImports.splice(0)) {
      const present = rows.filter((h) => held.has(h)).length;
      fig["imports in flight at a kill"]++;
      if (present > 0 && present < rows.length) fig["imports half applied"]++;
    }
    for (const id of runIds) {
      const g = await call(c, "commands.get", { id });
      if (g.result?.status === "interrupted") fig["runs reported interrupted"]++;
    }
  }

  it(`loses nothing acknowledged over ${REPS} kills`, { timeout: 400_000 }, async () => {
    let c = await start();
    await call(c, "types.upsert", { name: "mbtemp" });
    // Boards that take commands and never answer (hung IOCs): a run on them stays in flight.
    for (let i = 0; i < 3; i++) {
      const boardId = `dead0000000${i}`;
      const session = `s${i}`;
      const c = mqtt.connect(`mqtt://127.0.0.1:${mqttPort}`, { clientId: boardId, username: boardId, password: deriveBoardToken(FLEET_SECRET, boardId), protocolVersion: 4, reconnectPeriod: 200 });
      c.on("error", () => undefined);
      c.on("connect", () => {
        c.publish(topics.status(boardId), JSON.stringify({ v: 1, state: "online", session, ts: Date.now() }), { qos: 1, retain: true });
        c.subscribe(topics.cmdAll(boardId), { qos: 1 });
      });
      let seqNo = 0;
      const timer = setInterval(() => {
        if (c.connected)
          c.publish(topics.heartbeat(boardId), JSON.stringify({ v: 1, id: boardId, session, seq: seqNo++, ts: Date.now(), hostname: `kill-b${i}`, ip: `10.128.1.${90 + i}`, type: "mbtemp", uptime: seqNo }), { qos: 0, retain: true });
      }, 500);
      boards.push({ boardId, c, timer });
    }
    for (let rep = 0; rep < REPS; rep++) {
      const mode = rep % 3;
      const runIds: string[] = [];
      let stop = false;
      const work = (async () => {
        let i = 0;
        while (!stop) {
          if (mode === 0) {
            // Registry writes, one by one.
            const n = nodeOf(`k${rep}-n${i}`, i);
            const r = await call(c, "nodes.upsert", n).catch(() => null);
            if (!r) break;
            if (r.result) acked.set(n.hostname, n);
          } else if (mode === 1) {
            // A bulk command in flight: the boards take it and never answer.
            await waitFor(() => boards.every((b) => b.c.connected) || null, 15_000, "boards back").catch(() => undefined);
            await new Promise((r) => setTimeout(r, 700));
            const id = `c${seq++}`;
            c.send({ jsonrpc: "2.0", id, method: "commands.run", params: { target: { ids: boards.map((b) => b.boardId) }, action: "ping", options: { timeoutMs: 120_000 } } });
            // A socket connection answers its lines in order: ask on a second one.
            const c2 = await lineClient(cmdPort);
            c2.send({ jsonrpc: "2.0", id: "auth", method: "auth", params: { username: "admin", password: ADMIN_PASSWORD } });
            await c2.next((m) => m.id === "auth", 10_000);
            const list = await waitFor(async () => {
              const l = await call(c2, "commands.list", { limit: 5 }).catch(() => null);
              const running = ((l?.result?.items ?? []) as { id: string; status: string }[]).find((x) => x.status === "running");
              return running ?? null;
            }, 10_000, "a running run").catch(() => null);
            c2.close();
            if (list) runIds.push(list.id);
            while (!stop) await new Promise((r) => setTimeout(r, 20));
          } else {
            // A CSV import of 25 rows (nodes.import, what bbbctl import sends): all or nothing.
            const rows = Array.from({ length: 25 }, (_, k) => `k${rep}-i${i}-${k}`);
            const csv = ["hostname,ip,type", ...rows.map((h) => `${h},dhcp,mbtemp`)].join("\n");
            inFlightImports.push(rows);
            const r = await call(c, "nodes.import", { csv }).catch(() => null);
            if (!r) break;
            inFlightImports.pop();
            if (r.result?.applied) for (const h of rows) importedAcked.add(h);
          }
          i++;
        }
      })();
      // A random moment: mode 1 once its run is under way, the others after a random number of writes.
      await new Promise((r) => setTimeout(r, mode === 1 ? 2500 : 150 + Math.floor(Math.random() * 700)));
      if (mode === 1) await waitFor(() => runIds.length > 0 || null, 15_000, "run id").catch(() => undefined);
      proc!.kill("SIGKILL");
      fig.kills++;
      fig["runs in flight at a kill"] += runIds.length;
      await new Promise((r) => proc!.once("exit", r));
      stop = true;
      c.close();
      await work.catch(() => undefined);
      c = await start();
      await verify(c, runIds);
    }
    fig["writes acknowledged"] = acked.size + importedAcked.size;
    c.close();
    proc!.kill("SIGKILL");
    expect(fig["writes acknowledged then lost"]).toBe(0);
    expect(fig["half-written rows seen"]).toBe(0);
    expect(fig["imports half applied"]).toBe(0);
    expect(fig["runs reported interrupted"]).toBe(fig["runs in flight at a kill"]);
    expect(fig["runs in flight at a kill"]).toBeGreaterThan(0);
  });
});
