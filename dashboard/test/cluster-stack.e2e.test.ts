import { join } from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { writeFileSync } from "node:fs";
import { createFakeRoot, type FakeRoot } from "@bbb/agent/sim";
import { deriveBoardToken } from "@bbb/broker";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium } from "./support/browser.js";
import { identifyInDashboard } from "./support/dashboard-flow.js";
import { buildDashboard } from "./support/build.js";
import * as fleet from "./support/fleet.js";
import { REDIS_SERVER, REPO, bbbctl, eventually, freePort, haveMosquitto, mosquittoClient, startManagerProcess, startProc, untilListening, type Proc } from "./support/processes.js";

const PW = { otto: "operator-password", vera: "viewer-password" } as const;
const REDIS_PW = "redis-password-for-tests";

/** Milliseconds since `t0`, rounded. */
const since = (t0: number) => Math.round(performance.now() - t0);

/**
 * docker-stack.yml's topology as separate processes: Debian's redis-server with a password, two
 * broker replicas (broker/dist/main.js, BBB_REDIS_URL), one manager (BBB_ROLE=manager,
 * BBB_MQTT_URL and BBB_MQTT_WS_URL at a replica), agents listing both replicas. Figures in
 * RELIABILITY.md §"Clustered broker tier".
 */
describe.skipIf(!haveMosquitto || !hasChromium || !fleet.agentBuilt())("the clustered tier as docker-stack.yml wires it", () => {
  let dir: string;
  let staticDir: string;
  let redis: Proc;
  const replicas: { proc: Proc; mqtt: number; http: number; env: Record<string, string> }[] = [];
  let manager: Proc;
  let managerEnv: Record<string, string>;
  let http: string;
  let cli: Record<string, string>;
  const roots: FakeRoot[] = [];
  const agents: Proc[] = [];
  const clients: MqttClient[] = [];
  const figures: Record<string, number> = {};
  const url = (i: number) => `mqtt://127.0.0.1:${replicas[i]!.mqtt}`;
  const mq = (i: number, user: keyof typeof PW) => ["-h", "127.0.0.1", "-p", String(replicas[i]!.mqtt), "-u", user, "-P", PW[user]];
  const hosts = async () => {
    const r = await fetch(`${http}/api/hosts`, { headers: { authorization: `Basic ${Buffer.from(`admin:${fleet.ADMIN_PASSWORD}`).toString("base64")}` } });
    return ((await r.json()) as { items: { id: string; state: string }[] }).items;
  };
  /** The admin's REST call (no CLI start-up in the figures). */
  const rest = (method: string, path: string, body?: unknown) =>
    fetch(`${http}/api${path}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`admin:${fleet.ADMIN_PASSWORD}`).toString("base64")}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const allOnline = async () => (await hosts()).filter((h) => h.state === "online" || h.state === "unregistered").length === roots.length;
  /** One MQTT.js login attempt; the client or null. */
  const tryLogin = (i: number, user: keyof typeof PW) =>
    mqtt.connectAsync(url(i), { username: user, password: PW[user], reconnectPeriod: 0, connectTimeout: 2000, protocolVersion: 4, clientId: `${user}-${Math.random().toString(36).slice(2, 8)}` }).then(
      (c) => (clients.push(c), c),
      () => null,
    );
  const startReplica = (i: number) => {
    const r = replicas[i]!;
    r.proc = startProc(process.execPath, [join(REPO, "broker/dist/main.js")], r.env);
    return untilListening(r.mqtt, `replica ${i + 1}`);
  };
  const startAgent = (root: FakeRoot) => {
    writeFileSync(join(root.root, "agent-config.json"), "{}");
    return startProc(process.execPath, [fleet.AGENT_MAIN], {
      BBB_AGENT_CONFIG: join(root.root, "agent-config.json"), BBB_MQTT_URL: `${url(0)},${url(1)}`, BBB_BOARD_ID: root.boardId,
      BBB_TOKEN: deriveBoardToken(fleet.FLEET_SECRET, root.boardId), BBB_ROOT_PREFIX: root.root, BBB_STATE_DIR: root.stateDir, BBB_LOG_LEVEL: "warn",
    });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-cluster-stack-"));
    staticDir = await buildDashboard();
    const redisPort = await freePort();
    redis = startProc(REDIS_SERVER, ["--port", String(redisPort), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--requirepass", REDIS_PW], {});
    await untilListening(redisPort, "redis-server");
    for (let i = 0; i < 2; i++) {
      const [m, h] = [await freePort(), await freePort()];
      replicas.push({
        proc: null as unknown as Proc,
        mqtt: m,
        http: h,
        env: {
          BBB_ROLE: "broker", BBB_REDIS_URL: `redis://:${REDIS_PW}@127.0.0.1:${redisPort}`, BBB_MQTT_PORT: String(m), BBB_HTTP_PORT: String(h),
          BBB_BIND: "127.0.0.1", BBB_DATA_DIR: join(dir, `broker-${i + 1}`), BBB_TOPIC_ROOT: "bbb", BBB_LOG_LEVEL: "warn",
          BBB_FLEET_SECRET: fleet.FLEET_SECRET, BBB_ADMIN_PASSWORD: fleet.ADMIN_PASSWORD,
        },
      });
      await startReplica(i);
    }
    const [httpPort, cmdPort, sftpPort] = [await freePort(), await freePort(), await freePort()];
    http = `http://127.0.0.1:${httpPort}`;
    managerEnv = {
      BBB_MQTT_URL: url(1), BBB_MQTT_WS_URL: `ws://127.0.0.1:${replicas[1]!.http}/mqtt`, BBB_HTTP_PORT: String(httpPort), BBB_CMD_PORT: String(cmdPort),
      BBB_SFTP_PORT: String(sftpPort), BBB_DATA_DIR: join(dir, "manager"), BBB_FLEET_SECRET: fleet.FLEET_SECRET, BBB_ADMIN_PASSWORD: fleet.ADMIN_PASSWORD,
      BBB_DASHBOARD_DIR: staticDir,
    };
    manager = startManagerProcess(managerEnv);
    await untilListening(cmdPort, "the manager", 30_000);
    cli = { BBB_HOST: "127.0.0.1", BBB_CMD_PORT: String(cmdPort), BBB_USER: "admin", BBB_PASSWORD: fleet.ADMIN_PASSWORD };
    for (let i = 0; i < 2; i++) roots.push(await createFakeRoot({ index: 720 + i, hostname: `cl-${i}`, ip: `10.0.8.${10 + i}` }));
    for (const r of roots) agents.push(startAgent(r));
    await eventually(allOnline, 30_000, () => `both boards online (manager: ${manager.output()})`);
  });

  afterAll(async () => {
    for (const c of clients) c.end(true);
    for (const a of agents) await a.stop("SIGKILL");
    await manager?.stop();
    for (const r of replicas) await r.proc?.stop();
    await redis?.stop();
    await Promise.all(roots.map((r) => r.cleanup()));
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
    process.stdout.write(`cluster figures (ms): ${JSON.stringify(figures)}\n`);
  });

  it("a user created on the manager logs in on every replica within 1 s", async () => {
    const t0 = performance.now();
    expect((await rest("PUT", "/users/otto", { role: "operator", password: PW.otto })).status).toBe(200);
    figures.userCreateCall = since(t0);
    // One attempt per replica 1 s after the call: a failed attempt would start the login
    // throttle's back-off, so no polling before.
    await new Promise((res) => setTimeout(res, Math.max(0, 1000 - since(t0))));
    for (const i of [0, 1]) expect(await tryLogin(i, "otto"), `otto on replica ${i + 1}`).not.toBeNull();
  });

  it("an operator on replica 2 commands a board connected to replica 1 with mosquitto_pub; the result comes back", async () => {
    const id = roots[0]!.boardId;
    const sub = mosquittoClient("mosquitto_sub", [...mq(1, "otto"), "-t", `bbb/${id}/result/cl-1`, "-v"], 20_000, (s) => /"status":"(succeeded|failed)"/.test(s));
    await new Promise((res) => setTimeout(res, 500));
    const pub = await mosquittoClient("mosquitto_pub", [...mq(1, "otto"), "-q", "1", "-t", `bbb/${id}/cmd/ping`, "-m", '{"id":"cl-1"}']);
    expect(pub.code, pub.stderr).toBe(0);
    expect((await sub).stdout).toMatch(/"status":"succeeded"/);
  });

  it("the dashboard in Chromium through replica 2 sees both boards and runs a command", async () => {
    expect(await identifyInDashboard(http, "otto", PW.otto, 2, roots[0]!.boardId)).toBe("online");
  });

  it("a role change and a removal close the user's connections on every replica within 1 s", async () => {
    const r = await bbbctl(["users", "set", "vera", "--role", "viewer"], { ...cli, BBB_NEW_PASSWORD: PW.vera });
    expect(r.code, r.stderr).toBe(0);
    const on = await Promise.all([0, 1].map((i) => eventually(() => tryLogin(i, "vera"), 5000, () => `vera on replica ${i + 1}`)));
    const closed = on.map((c) => new Promise<number>((res) => c.once("close", () => res(performance.now()))));
    const t0 = performance.now();
    expect((await rest("PUT", "/users/vera", { role: "operator" })).status).toBe(200);
    figures.roleChangeClosesBothReplicas = Math.round(Math.max(...(await Promise.all(closed))) - t0);
    await eventually(() => tryLogin(0, "vera"), 5000, () => "vera back as operator");
    const ons = await Promise.all([0, 1].map((i) => eventually(() => tryLogin(i, "otto"), 5000, () => `otto on ${i + 1}`)));
    const gone = ons.map((c) => new Promise<number>((res) => c.once("close", () => res(performance.now()))));
    const t1 = performance.now();
    expect((await rest("DELETE", "/users/otto")).status).toBe(200);
    figures.removalClosesBothReplicas = Math.round(Math.max(...(await Promise.all(gone))) - t1);
    for (const i of [0, 1]) expect(await tryLogin(i, "otto")).toBeNull();
    expect(figures.roleChangeClosesBothReplicas).toBeLessThan(1000);
    expect(figures.removalClosesBothReplicas).toBeLessThan(1000);
  });

  it("a board killed with -9 on replica 1 is lost through its will, seen by the manager on replica 2", async () => {
    const id = roots[1]!.boardId;
    const t0 = performance.now();
    await agents[1]!.stop("SIGKILL");
    await eventually(async () => (await hosts()).find((h) => h.id === id)?.state === "lost", 15_000, () => "the killed board lost");
    figures.boardKill9ToLost = since(t0);
    agents[1] = startAgent(roots[1]!);
    await eventually(allOnline, 30_000, () => "the board back");
  });

  it("kill -9 of replica 1: its boards move to replica 2 and none stays lost", async () => {
    const t0 = performance.now();
    await replicas[0]!.proc.stop("SIGKILL");
    // Every board back online on replica 2, then still online after the dead replica's wills could fire.
    // Watched every 250 ms for 25 s: past the dead replica's claims (3 beats of 5 s) and its
    // wills (published by the survivor after 4 beats), no board may ever show `lost`.
    let lostSeen = 0;
    while (since(t0) < 25_000) {
      lostSeen += (await hosts()).filter((h) => h.state === "lost").length;
      await new Promise((res) => setTimeout(res, 250));
    }
    figures.replicaKill9LostObservations = lostSeen;
    expect(lostSeen).toBe(0);
    expect(await allOnline()).toBe(true);
    await startReplica(0);
  });

  it("kill -9 of the manager: boards stay connected; the restarted manager has every board's state within 30 s", async () => {
    await manager.stop("SIGKILL");
    // The replicas keep the boards: both still beat (seen by the admin on replica 2).
    const beats = await mosquittoClient("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(replicas[1]!.mqtt), "-u", "admin", "-P", fleet.ADMIN_PASSWORD, "-t", "bbb/+/heartbeat", "-v", "-W", "5"], 10_000, (out) => roots.every((r) => out.includes(`bbb/${r.boardId}/heartbeat`)) && out.split("\n").length > 4);
    for (const r of roots) expect(beats.stdout).toContain(`bbb/${r.boardId}/heartbeat`);
    const t0 = performance.now();
    manager = startManagerProcess(managerEnv);
    await eventually(allOnline, 30_000, () => `every board's state after the restart (${manager.output()})`);
    figures.managerRestartToAllOnline = since(t0);
  });
});
