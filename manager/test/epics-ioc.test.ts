import { writeFile } from "node:fs/promises";
import { createServer as createHttp, type Server } from "node:http";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import mqtt from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentConfigSchema, createAgent } from "@bbb/agent";
import { createFakeRoot, createRecordingExec, type FakeRoot, type RecordingExec } from "@bbb/agent/sim";
import { deriveBoardToken } from "@bbb/broker";
import { iocsPayloadSchema, type IocsPayload } from "@bbb/shared";
import { bundleCaServer, spawnCaServer, type CaServerProcess } from "../../agent/test/helpers/ca-server-process.js";
import type { PvDef } from "../../agent/test/helpers/ca-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import type { IncidentPayload } from "../src/front/webhooks/schemas.js";
import { ADMIN_PASSWORD, FLEET_SECRET, connectClient, request, startTestServer, topics, waitFor, watchHosts, type TestServer } from "./helpers.js";

/**
 * docs/epics.md end to end: agents on fake roots check an IOC stand-in (the test CA server as
 * its own process) over real Channel Access; the manager turns a killed IOC, a stopped
 * service and a PV prefix served from two boards into problems and webhooks.
 */
const HEARTBEAT_S = 5;
const TYPE = "ioc-test";
const pvs = (prefix: string): PvDef[] => [
  { name: `${prefix}Heartbeat`, type: "long", value: 0, periodMs: 200 },
  { name: `${prefix}Version`, type: "string", value: "R1.2" },
];

interface Board {
  id: string;
  root: FakeRoot;
  exec: RecordingExec;
  stop(): Promise<void>;
}

describe("EPICS IOC health end to end", () => {
  let srv: TestServer;
  let admin: MqttClient;
  let hosts: Awaited<ReturnType<typeof watchHosts>>;
  let hook: Server;
  let bundle: Awaited<ReturnType<typeof bundleCaServer>>;
  const hooks: IncidentPayload[] = [];
  const reports = new Map<string, IocsPayload>();
  const boards: Board[] = [];
  const iocs: CaServerProcess[] = [];

  async function startBoard(index: number, prefix: string, caPort: number): Promise<Board> {
    const root = await createFakeRoot({ index });
    await writeFile(join(root.stateDir, "node.json"), JSON.stringify({ type: TYPE, pvPrefix: [prefix] }));
    const exec = createRecordingExec({ root: root.root, mac: root.mac, ip: root.options.ip, hostname: root.options.hostname });
    const config = {
      ...agentConfigSchema.parse({
        mqttUrls: [srv.mqttUrl],
        token: deriveBoardToken(FLEET_SECRET, root.boardId),
        heartbeatMs: 500,
        rootPrefix: root.root,
        stateDir: root.stateDir,
        services: ["ioc-main.service"],
        caAddrList: [`127.0.0.1:${caPort}`],
        caAutoAddrList: false,
        iocPollMs: 500,
        logLevel: "silent",
      }),
      boardId: root.boardId,
    };
    const agent = createAgent({ config, log: pino({ level: "silent" }), exec: exec.exec, connect: mqtt.connect, interfaces: exec.interfaces });
    await agent.start();
    const b = {
      id: root.boardId,
      root,
      exec,
      async stop() {
        await agent.stop();
        await root.cleanup();
      },
    };
    boards.push(b);
    return b;
  }

  const problems = (id: string) => hosts.views.get(id)?.problems ?? [];
  const has = (id: string, code: string) => problems(id).some((p) => p.code === code);

  beforeAll(async () => {
    bundle = await bundleCaServer();
    hook = createHttp((req, res) => {
      let raw = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (raw += c));
      req.on("end", () => {
        hooks.push(JSON.parse(raw) as IncidentPayload);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
    const a = hook.address();
    srv = await startTestServer({ logLevel: "silent" }, { extensions: [createFrontExtension()] });
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    hosts = await watchHosts(admin);
    admin.on("message", (topic, payload) => {
      const m = /^bbb\/([^/]+)\/iocs$/.exec(topic);
      if (m?.[1] && payload.byteLength > 0) reports.set(m[1], iocsPayloadSchema.parse(JSON.parse(payload.toString())));
    });
    await admin.subscribeAsync(topics.filters.allIocs, { qos: 1 });
    const type = {
      name: TYPE,
      iocs: [
        {
          name: "ioc-main",
          service: { kind: "systemd", unit: "ioc-main.service" },
          pvs: [{ pv: "$(P)Heartbeat", heartbeatS: HEARTBEAT_S }, { pv: "$(P)Version" }],
        },
      ],
    };
    expect((await request(admin, "types.upsert", type)).status).toBe("ok");
    const rule = {
      id: "ioc",
      url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/hook`,
      problems: ["ioc-down", "pv-silent", "pv-stuck", "conflict-pv-served"],
      delayMs: 0,
      groupWindowMs: 0,
    };
    expect((await request(admin, "webhooks.upsert", rule)).status).toBe("ok");
  });

  afterAll(async () => {
    for (const b of boards) await b.stop();
    for (const p of iocs) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await Promise.all(iocs.map((p) => p.exited));
    admin?.end(true);
    await srv?.stop();
    await new Promise((r) => hook?.close(r));
    await bundle?.cleanup();
  });

  it("kill -9 of the IOC: pv-silent within the heartbeat interval and a webhook; back on its port: cleared and resolved", async () => {
    const ioc = await spawnCaServer(bundle.file, pvs("E2E:A:"));
    iocs.push(ioc);
    const b = await startBoard(301, "E2E:A:", ioc.port);
    const ok = await waitFor(
      () => {
        const r = reports.get(b.id);
        return r?.iocs[0]?.pvs.every((p) => p.state === "ok") ? r : null;
      },
      15_000,
      "both PVs ok",
    );
    expect(ok.iocs[0]).toMatchObject({ name: "ioc-main", running: true, restarts: 0 });
    expect(ok.iocs[0]?.pvs.map((p) => [p.pv, p.servers])).toEqual([
      ["E2E:A:Heartbeat", [`127.0.0.1:${ioc.port}`]],
      ["E2E:A:Version", [`127.0.0.1:${ioc.port}`]],
    ]);
    expect(b.exec.calls).toContainEqual(["systemctl", "show", "ioc-main.service", "--property=ActiveState,SubState,NRestarts,MainPID"]);
    await hosts.waitState(b.id, "unregistered", 10_000);
    expect(problems(b.id)).toEqual([]);

    const t0 = Date.now();
    ioc.child.kill("SIGKILL");
    await ioc.exited;
    await waitFor(() => has(b.id, "pv-silent"), 15_000, "pv-silent");
    const detectMs = Date.now() - t0;
    expect(detectMs).toBeLessThan(HEARTBEAT_S * 1000);
    expect(problems(b.id).find((p) => p.code === "pv-silent")?.actual).toBe("E2E:A:Heartbeat,E2E:A:Version");
    const firing = await waitFor(() => hooks.find((h) => h.event === "firing" && h.incident.boards[0]?.boardId === b.id), 10_000, "webhook");
    expect(firing.incident.problems).toContain("pv-silent");
    expect(firing.incident.boards[0]?.problems?.[0]?.code).toBe("pv-silent");

    const again = await spawnCaServer(bundle.file, pvs("E2E:A:"), ioc.port);
    iocs.push(again);
    await waitFor(() => !has(b.id, "pv-silent"), 15_000, "pv-silent cleared");
    await waitFor(() => hooks.find((h) => h.event === "resolved" && h.incident.boards[0]?.boardId === b.id), 10_000, "resolved webhook");
    console.log(`[epics-ioc] IOC killed → pv-silent problem on the host view in ${detectMs} ms`);
  });

  it("a stopped IOC service is ioc-down; restarted it clears, with the restart counted", async () => {
    const ioc = await spawnCaServer(bundle.file, pvs("E2E:B:"));
    iocs.push(ioc);
    const b = await startBoard(302, "E2E:B:", ioc.port);
    await waitFor(() => reports.get(b.id)?.iocs[0]?.running === true, 15_000, "running");
    admin.publish(topics.cmd(b.id, "stop-service"), JSON.stringify({ id: "stop-1", args: { name: "ioc-main.service" } }), { qos: 1 });
    await waitFor(() => has(b.id, "ioc-down"), 15_000, "ioc-down");
    expect(problems(b.id).find((p) => p.code === "ioc-down")).toMatchObject({ field: "ioc-main", actual: "ActiveState=inactive (dead)" });
    admin.publish(topics.cmd(b.id, "restart-service"), JSON.stringify({ id: "restart-1", args: { name: "ioc-main.service" } }), { qos: 1 });
    await waitFor(() => !has(b.id, "ioc-down"), 15_000, "ioc-down cleared");
    expect(reports.get(b.id)?.iocs[0]).toMatchObject({ running: true, restarts: 1 });
  });

  it("one PV prefix served from two boards is a conflict on both", async () => {
    const one = await spawnCaServer(bundle.file, pvs("E2E:DUP:"));
    const two = await spawnCaServer(bundle.file, pvs("E2E:DUP:"));
    iocs.push(one, two);
    const a = await startBoard(303, "E2E:DUP:", one.port);
    const b = await startBoard(304, "E2E:DUP:", two.port);
    const served = (id: string) => problems(id).filter((p) => p.code === "conflict-pv-served").length;
    // Both PVs of both boards: each board's report may come in with one PV connected first.
    await waitFor(() => served(a.id) === 2 && served(b.id) === 2, 15_000, "served conflict");
    const pa = problems(a.id).filter((p) => p.code === "conflict-pv-served");
    expect(pa.map((p) => [p.actual, p.with])).toEqual([
      ["E2E:DUP:Heartbeat", [b.id]],
      ["E2E:DUP:Version", [b.id]],
    ]);
    two.child.kill("SIGKILL");
    await waitFor(() => !has(a.id, "conflict-pv-served"), 15_000, "conflict cleared");
  });
});
