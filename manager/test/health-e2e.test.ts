import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { join } from "node:path";
import { createFakeRoot, type FakeRoot } from "@bbb/agent/sim";
import { hostsMetricsResultSchema, type HistoryEntry, type HostsMetricsResult } from "@bbb/shared";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createOpsExtension } from "../src/ops/ops-extension.js";
import type { IncidentPayload } from "../src/front/webhooks/schemas.js";
import { adminEnv, bbbctl } from "./cli-runner.js";
import {
  ADMIN_PASSWORD,
  connectClient,
  request,
  spawnAgent,
  startTestServer,
  waitFor,
  watchHosts,
  type TestServer,
} from "./helpers.js";

// Board health end to end: real agent processes on fake roots, the real server with its REST,
// socket and MQTT doors, a real HTTP receiver for the webhooks.
describe("board health with real agents", () => {
  let srv: TestServer;
  let admin: MqttClient;
  let hosts: Awaited<ReturnType<typeof watchHosts>>;
  let receiver: Server;
  let hookUrl = "";
  const hooks: IncidentPayload[] = [];
  const roots: FakeRoot[] = [];
  const children: ChildProcess[] = [];
  const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;

  const call = async (method: string, params: unknown) => {
    const r = await request(admin, method, params);
    if (r.status !== "ok") throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const spawn = (root: FakeRoot, env: Record<string, string> = {}) => {
    const c = spawnAgent(srv.mqttUrl, root, { BBB_TIME_SYNC_POLL_MS: "1000", BBB_INVENTORY_POLL_MS: "1000", ...env });
    children.push(c);
    return c;
  };
  const stopChild = async (c: ChildProcess) => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    c.kill("SIGKILL");
    await once(c, "exit");
  };

  beforeAll(async () => {
    receiver = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        hooks.push(JSON.parse(body) as IncidentPayload);
        res.writeHead(204).end();
      });
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    const addr = receiver.address();
    hookUrl = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/hook`;
    // The ops extension serves /metrics (the alarm counts Prometheus alerts on).
    srv = await startTestServer({}, { extensions: [createFrontExtension(), createOpsExtension()] });
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    hosts = await watchHosts(admin);
    await call("types.upsert", {
      name: "mbtemp",
      thresholds: { tempC: { warn: 60, crit: 80, hysteresis: 2 } },
      expect: { kernel: "5.10.168-ti-r71", overlays: ["BB-UART1-00A0"] },
    });
    await call("webhooks.upsert", {
      id: "hot",
      url: hookUrl,
      states: [],
      problems: ["threshold"],
      severity: "critical",
      delayMs: 0,
      groupWindowMs: 0,
    });
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c);
    await admin?.endAsync();
    await srv?.stop();
    receiver?.close();
    for (const r of roots) await r.cleanup();
  });

  const board = async (index: number, opts: Parameters<typeof createFakeRoot>[0] = {}) => {
    const root = await createFakeRoot({ index, ...opts });
    roots.push(root);
    await call("nodes.upsert", { hostname: root.options.hostname, ip: { mode: "dhcp" }, type: "mbtemp" });
    return root;
  };

  it("raises a critical temperature alarm with a webhook, and clears it with hysteresis", async () => {
    const root = await board(41);
    spawn(root);
    await hosts.waitState(root.boardId, "online", 10_000);
    const temp = join(root.root, "sys/class/thermal/thermal_zone0/temp");
    await writeFile(temp, "85500\n");
    const hot = await waitFor(
      () => {
        const p = hosts.views.get(root.boardId)?.problems.find((x) => x.code === "threshold");
        return p?.severity === "critical" ? p : null;
      },
      10_000,
      "critical alarm",
    );
    expect(hot).toMatchObject({ field: "tempC", actual: "85.5", expected: "< 80" });
    expect(hosts.views.get(root.boardId)?.state).toBe("online");
    // Prometheus sees the raised alarm as a count (docs/monitoring.md: BbbBoardsTemperatureCritical).
    const alarmed = async () => (await (await fetch(`${srv.http}/metrics`)).text()).match(/^bbb_boards_alarmed\{metric="tempC",level="critical"\} (\d+)$/m)?.[1];
    expect(await alarmed()).toBe("1");
    const firing = await waitFor(() => hooks.find((h) => h.event === "firing") ?? null, 10_000, "firing webhook");
    expect(firing.incident.boards[0]).toMatchObject({ boardId: root.boardId, problems: [expect.objectContaining({ code: "threshold" })] });
    // 79 is under the critical limit but within its hysteresis: still critical.
    await writeFile(temp, "79000\n");
    await new Promise((r) => setTimeout(r, 2500));
    expect(hosts.views.get(root.boardId)?.problems.find((x) => x.code === "threshold")?.severity).toBe("critical");
    await writeFile(temp, "45000\n");
    await waitFor(
      () => (hosts.views.get(root.boardId)?.problems.some((x) => x.code === "threshold") ? null : true),
      10_000,
      "cleared",
    );
    expect(await alarmed()).toBe("0");
    await waitFor(() => hooks.find((h) => h.event === "resolved") ?? null, 10_000, "resolved webhook");
    const hist = (await call("hosts.history", { id: root.boardId })) as { items: HistoryEntry[] };
    expect(
      hist.items
        .filter((e) => e.kind === "alarm")
        .map((e) => (e.data as { to: string }).to)
        .reverse(),
    ).toEqual(["critical", "ok"]);
  });

  it("serves the series on REST, the socket (bbbctl) and MQTT alike", async () => {
    const id = roots[0]?.boardId ?? "";
    const rest = await fetch(`${srv.http}/api/hosts/${id}/metrics?fields=tempC,load1`, {
      headers: { authorization: basic },
    });
    expect(rest.status).toBe(200);
    const r = hostsMetricsResultSchema.parse(await rest.json());
    expect(r.step).toBe(60_000);
    expect(r.series.tempC?.filter((v) => v !== null).length).toBeGreaterThan(0);
    expect(r.series.load1?.some((v) => v === 0.12)).toBe(true);
    const hourAgo = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    const mq = (await call("hosts.metrics", {
      id,
      fields: ["uptime"],
      from: hourAgo,
    })) as HostsMetricsResult;
    expect(mq.t[0]).toBe(hourAgo);
    expect(mq.t.length).toBeGreaterThanOrEqual(61);
    expect(mq.series.uptime?.at(-1)).toBe(3641);
    const cli = await bbbctl(
      ["metrics", id, "--since", "1h", "--fields", "tempC,load1"],
      adminEnv(srv.started.ports.cmd),
    );
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^tempC\s+\S+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
    const bad = await bbbctl(["metrics", id, "--since", "yesterday"], adminEnv(srv.started.ports.cmd));
    expect(bad.code).toBe(2);
    const unknown = await request(admin, "hosts.metrics", { id: "ffffffffffff" });
    expect(unknown.error?.code).toBe("MGR_E_NOT_FOUND");
    const badField = await request(admin, "hosts.metrics", { id, fields: ["cpu"] });
    expect(badField.error?.code).toBe("MGR_E_INVALID_PARAMS");
  });

  it("counts an unexpected reboot, shows it on the board and filters on it", async () => {
    const root = await board(42, { uptimeS: 90_000 });
    const first = spawn(root);
    await hosts.waitState(root.boardId, "online", 10_000);
    await stopChild(first);
    // The board came back on its own: uptime restarted, no reboot command from us.
    await writeFile(join(root.root, "proc/uptime"), "12.00 10.00\n");
    spawn(root);
    const view = await waitFor(() => hosts.views.get(root.boardId)?.reboots ?? null, 15_000, "reboot counted");
    expect(view).toMatchObject({ total: 1, last24h: 1 });
    const hist = (await call("hosts.history", { id: root.boardId })) as { items: HistoryEntry[] };
    expect(hist.items.find((e) => e.kind === "reboot")?.data).toEqual({ previousUptime: 90_000, uptime: 12 });
    const list = (await call("hosts.list", { rebootedMin: 1 })) as { items: { id: string }[] };
    expect(list.items.map((h) => h.id)).toEqual([root.boardId]);
  });

  it("reports time sync: a problem while the clock is unsynchronised, cleared when it syncs", async () => {
    const root = await board(43, { timeSynced: false });
    // This machine's own clock tools must not answer for the board: recording fakes on the PATH.
    const bin = join(root.root, "fake-bin");
    await mkdir(bin);
    const fake = async (name: string, script: string) =>
      writeFile(join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    await fake("chronyc", "exit 1");
    await fake("ntpq", "exit 1");
    await fake("timedatectl", 'echo "$@" >> "$(dirname "$0")/timedatectl.argv"; echo no');
    spawn(root, { PATH: `${bin}:${process.env.PATH ?? ""}`, BBB_SERVICE_POLL_MS: "1000" });
    await waitFor(
      () => (hosts.views.get(root.boardId)?.problems.some((p) => p.code === "time-unsynced") ? true : null),
      15_000,
      "unsynced",
    );
    await mkdir(join(root.root, "run/systemd/timesync"), { recursive: true });
    await writeFile(join(root.root, "run/systemd/timesync/synchronized"), "");
    await waitFor(
      () => {
        const v = hosts.views.get(root.boardId);
        return v?.heartbeat?.timeSync === "synced" && !v.problems.some((p) => p.code === "time-unsynced") ? true : null;
      },
      15_000,
      "synced",
    );
  });

  it("turns an inventory the type does not expect into misconfigured, naming the field", async () => {
    const root = await board(44, { kernel: "4.14.108-ti-r131" });
    spawn(root);
    const v = await hosts.waitState(root.boardId, "misconfigured", 15_000);
    expect(v.inventory?.kernel).toBe("4.14.108-ti-r131");
    expect(v.problems).toContainEqual(
      expect.objectContaining({ field: "inventory.kernel", expected: "5.10.168-ti-r71" }),
    );
    // The board is upgraded: the agent notices within its poll period and republishes.
    await writeFile(join(root.root, "proc/sys/kernel/osrelease"), "5.10.168-ti-r71\n");
    await hosts.waitState(root.boardId, "online", 15_000);
    await rm(join(root.root, "proc/device-tree/chosen/overlays/BB-UART1-00A0"));
    const again = await hosts.waitState(root.boardId, "misconfigured", 15_000);
    expect(again.problems[0]).toMatchObject({ field: "inventory.overlays", expected: "BB-UART1-00A0", actual: "" });
  });
});
