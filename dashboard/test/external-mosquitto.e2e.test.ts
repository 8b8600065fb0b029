import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFakeRoot, type FakeRoot } from "@bbb/agent/sim";
import { deriveBoardToken } from "@bbb/broker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium } from "./support/browser.js";
import { identifyInDashboard } from "./support/dashboard-flow.js";
import { buildDashboard } from "./support/build.js";
import * as fleet from "./support/fleet.js";
import { bbbctl, eventually, freePort, haveMosquitto, mosquittoClient, startManagerProcess, startMosquitto, untilListening, type Proc } from "./support/processes.js";
import { docRecipe, runRecipe } from "./support/recipe.js";

const PW = { otto: "operator-password", vera: "viewer-password" } as const;

/**
 * docs/deployment.md §"An existing MQTT broker": Debian's mosquitto as the site's broker, with the
 * password and ACL files `bbbctl export mosquitto` wrote; the manager (its own process, BBB_ROLE
 * manager, BBB_MQTT_URL at mosquitto), agents as processes, the mosquitto clients and Chromium
 * through the manager's /mqtt, which carries the bytes to mosquitto's TCP port.
 */
describe.skipIf(!haveMosquitto || !hasChromium || !fleet.agentBuilt())("the whole system on Debian's mosquitto", () => {
  let dir: string;
  let staticDir: string;
  let mosquitto: Proc;
  let manager: Proc;
  let mqttPort: number;
  let http: string;
  let cli: Record<string, string>;
  const roots: FakeRoot[] = [];
  const agents: ChildProcess[] = [];
  const mq = (user: keyof typeof PW | "admin") => ["-h", "127.0.0.1", "-p", String(mqttPort), "-u", user, "-P", user === "admin" ? fleet.ADMIN_PASSWORD : PW[user]];
  const hosts = async () => {
    const r = await fetch(`${http}/api/hosts`, { headers: { authorization: `Basic ${Buffer.from(`admin:${fleet.ADMIN_PASSWORD}`).toString("base64")}` } });
    return ((await r.json()) as { items: { id: string; state: string }[] }).items;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-ext-mosquitto-"));
    staticDir = await buildDashboard();
    [mqttPort] = [await freePort()];
    const [httpPort, cmdPort, sftpPort] = [await freePort(), await freePort(), await freePort()];
    http = `http://127.0.0.1:${httpPort}`;
    for (let i = 0; i < 2; i++) roots.push(await createFakeRoot({ index: 700 + i, hostname: `ext-${i}`, ip: `10.0.9.${10 + i}` }));
    const boards = roots.flatMap((r) => ["--board", r.boardId]);
    const data = join(dir, "data");
    // Before the manager's first start: mosquitto must admit the manager before it can start.
    const first = await bbbctl(["export", "mosquitto", "--data-dir", data, "--out-dir", dir, ...boards], { BBB_FLEET_SECRET: fleet.FLEET_SECRET });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("0 user(s), 2 board(s)");
    mosquitto = await startMosquitto(dir, mqttPort);
    manager = startManagerProcess({
      BBB_MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      BBB_HTTP_PORT: String(httpPort),
      BBB_CMD_PORT: String(cmdPort),
      BBB_SFTP_PORT: String(sftpPort),
      BBB_DATA_DIR: data,
      BBB_FLEET_SECRET: fleet.FLEET_SECRET,
      BBB_ADMIN_PASSWORD: fleet.ADMIN_PASSWORD,
      BBB_DASHBOARD_DIR: staticDir,
    });
    await untilListening(cmdPort, "the manager's command socket", 30_000);
    cli = { BBB_HOST: "127.0.0.1", BBB_CMD_PORT: String(cmdPort), BBB_USER: "admin", BBB_PASSWORD: fleet.ADMIN_PASSWORD };
    for (const [u, role] of [["otto", "operator"], ["vera", "viewer"]] as const) {
      const r = await bbbctl(["users", "set", u, "--role", role], { ...cli, BBB_NEW_PASSWORD: PW[u] });
      expect(r.code, r.stderr).toBe(0);
    }
    // The users now exist: export again from the running manager, and mosquitto reloads on SIGHUP.
    const out = await bbbctl(["export", "mosquitto", "--out-dir", dir, ...boards], cli);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain("3 user(s), 2 board(s)");
    mosquitto.signal("SIGHUP");
    // mosquitto logs the reload; the users can log in once it has read the new files.
    await eventually(async () => (await mosquittoClient("mosquitto_pub", [...mq("vera"), "-t", "bbb/manager/request/server.info", "-m", "{}"])).code === 0, 10_000, () => `vera admitted (mosquitto: ${mosquitto.output()})`);
    for (const root of roots) {
      writeFileSync(join(root.root, "agent-config.json"), "{}");
      agents.push(
        spawn(process.execPath, [fleet.AGENT_MAIN], {
          env: {
            PATH: process.env.PATH, BBB_AGENT_CONFIG: join(root.root, "agent-config.json"), BBB_MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
            BBB_BOARD_ID: root.boardId, BBB_TOKEN: deriveBoardToken(fleet.FLEET_SECRET, root.boardId), BBB_ROOT_PREFIX: root.root,
            BBB_STATE_DIR: root.stateDir, BBB_LOG_LEVEL: "warn",
          },
          stdio: ["ignore", "ignore", "inherit"],
        }),
      );
    }
  });

  afterAll(async () => {
    for (const a of agents) if (a.exitCode === null && a.signalCode === null && a.pid !== undefined) process.kill(a.pid, "SIGKILL");
    await manager?.stop();
    await mosquitto?.stop();
    await Promise.all(roots.map((r) => r.cleanup()));
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("boards log in to mosquitto with their tokens and the manager sees them online", async () => {
    await eventually(async () => (await hosts()).filter((h) => h.state !== "lost" && h.state !== "offline").length === 2, 30_000, () => `both boards online (manager: ${manager.output()}; mosquitto: ${mosquitto.output()})`);
    // mosquitto closes a client that breaks its rules (a `$` topic, say): the manager's link must hold.
    await new Promise((res) => setTimeout(res, 2000));
    expect(manager.output()).not.toMatch(/connection to the broker lost|unable to connect to the broker|mqtt error/);
  });

  it("an operator's mosquitto_pub command reaches the board and its result comes back", async () => {
    const id = roots[0]!.boardId;
    const sub = mosquittoClient("mosquitto_sub", [...mq("otto"), "-t", `bbb/${id}/result/ext-1`, "-v"], 20_000, (s) => /"status":"(succeeded|failed)"/.test(s));
    await new Promise((r) => setTimeout(r, 500));
    const pub = await mosquittoClient("mosquitto_pub", [...mq("otto"), "-q", "1", "-t", `bbb/${id}/cmd/ping`, "-m", '{"id":"ext-1"}']);
    expect(pub.code, pub.stderr).toBe(0);
    expect((await sub).stdout).toMatch(/"status":"succeeded"/);
  });

  it("a viewer's command is dropped by mosquitto's ACL: the board never answers", async () => {
    const id = roots[0]!.boardId;
    const sub = mosquittoClient("mosquitto_sub", [...mq("otto"), "-t", `bbb/${id}/result/ext-2`, "-v", "-W", "3"], 10_000);
    await new Promise((r) => setTimeout(r, 500));
    await mosquittoClient("mosquitto_pub", [...mq("vera"), "-q", "1", "-t", `bbb/${id}/cmd/ping`, "-m", '{"id":"ext-2"}']);
    expect((await sub).stdout).toBe("");
  });

  it("docs/protocol.md's request recipe works through mosquitto; a forged stamp or no token gets nothing", async () => {
    const env = { BBB_HOST: "127.0.0.1", BBB_MQTT_PORT: String(mqttPort), BBB_USER: "vera", BBB_PASSWORD: PW.vera };
    const out = await runRecipe(docRecipe("mqtt-request"), env);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ transaction: "t2", status: "ok", data: { total: 2 } });
    const sub = mosquittoClient("mosquitto_sub", [...mq("vera"), "-t", "bbb/manager/response/vera/forged", "-W", "4"], 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const forged = { transaction: "t9", replyTo: "forged", auth: { username: "admin", role: "admin", clientId: "x", sig: "0".repeat(64) }, params: {} };
    await mosquittoClient("mosquitto_pub", [...mq("vera"), "-q", "1", "-t", "bbb/manager/request/users.list", "-m", JSON.stringify(forged)]);
    await mosquittoClient("mosquitto_pub", [...mq("vera"), "-q", "1", "-t", "bbb/manager/request/hosts.list", "-m", '{"transaction":"t10","replyTo":"forged"}']);
    expect((await sub).stdout).toBe("");
    // Another user cannot read vera's replies: mosquitto's ACL refuses the subscription.
    const spy = await mosquittoClient("mosquitto_sub", [...mq("otto"), "-t", "bbb/manager/response/vera/#", "-W", "2"], 10_000);
    expect(spy.stdout).toBe("");
  });

  it("the dashboard in Chromium works through the manager's /mqtt to mosquitto, commands included", async () => {
    expect(await identifyInDashboard(http, "otto", PW.otto, 2, roots[1]!.boardId)).toBe("online");
  });

  it("a board killed with -9 is marked lost by its will, published by mosquitto", async () => {
    const victim = agents[0]!;
    process.kill(victim.pid!, "SIGKILL");
    const id = roots[0]!.boardId;
    await eventually(async () => (await hosts()).find((h) => h.id === id)?.state === "lost", 15_000, () => "the killed board lost");
  });
});
