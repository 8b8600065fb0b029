import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAcl, createUserStore, deriveBoardToken, deriveManagerPassword } from "@bbb/broker";
import { createMqttAuthRoutes } from "../src/front/mqtt-auth/mqtt-auth-routes.js";
import { createMqttIdentityResolver } from "../src/front/mqtt-auth/mqtt-identity.js";
import { createRestHandler } from "../src/front/rest/rest-handler.js";
import { authenticate, silentLog } from "./front-fixtures.js";

const SECRET = "fleet-secret-for-mqtt-http-auth";
const BOARD = "a0f6fd8b1c22";

describe("MQTT HTTP auth endpoints (external broker)", () => {
  let server: Server;
  let base: string;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-mqtt-auth-"));
    const users = createUserStore({ file: join(dir, "users.json"), log: silentLog });
    await users.load();
    await users.upsert("ops", "operator", "operator-password");
    await users.upsert("eyes", "viewer", "viewer-password");
    const acl = createAcl("bbb");
    const routes = createMqttAuthRoutes({
      resolver: createMqttIdentityResolver({ users, fleetSecret: SECRET, acl }),
      acl,
      log: silentLog,
    });
    const handler = createRestHandler({ methods: new Map(), authenticate, log: silentLog, extraPostRoutes: routes });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const a = server.address();
    base = `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/api/mqtt`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
    (
      await fetch(base + path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      })
    ).json();

  it("authenticates users, the manager and boards in the EMQX format", async () => {
    expect(await post("/auth", { username: "ops", password: "operator-password", clientid: "c1" })).toEqual({
      result: "allow",
      is_superuser: false,
    });
    expect(await post("/auth", { username: "ops", password: "nope", clientid: "c1" })).toMatchObject({
      result: "deny",
    });
    expect(
      await post("/auth", { username: "manager", password: deriveManagerPassword(SECRET), clientid: "m" }),
    ).toMatchObject({ result: "allow" });
    expect(
      await post("/auth", { username: BOARD, password: deriveBoardToken(SECRET, BOARD), clientid: BOARD }),
    ).toMatchObject({ result: "allow" });
    expect(
      await post("/auth", { username: BOARD, password: deriveBoardToken(SECRET, BOARD), clientid: "other" }),
    ).toMatchObject({ result: "deny" });
  });

  it("authorises with the broker's ACL in the EMQX format", async () => {
    const acl = (username: string, clientid: string, topic: string, action: string, retain = false) =>
      post("/acl", { username, clientid, topic, action, retain });
    expect(await acl(BOARD, BOARD, `bbb/${BOARD}/heartbeat`, "publish", true)).toMatchObject({ result: "allow" });
    expect(await acl(BOARD, BOARD, "bbb/ffffffffffff/heartbeat", "publish")).toMatchObject({ result: "deny" });
    expect(await acl(BOARD, BOARD, `bbb/${BOARD}/cmd/#`, "subscribe")).toMatchObject({ result: "allow" });
    expect(await acl("eyes", "v1", `bbb/${BOARD}/cmd/reboot`, "publish")).toMatchObject({ result: "deny" });
    expect(await acl("ops", "o1", `bbb/${BOARD}/cmd/reboot`, "publish")).toMatchObject({ result: "allow" });
    expect(await acl("ops", "o1", `bbb/${BOARD}/cmd/reboot`, "publish", true)).toMatchObject({ result: "deny" });
    expect(await acl("ops", "o1", "bbb/registry/hosts/x", "publish")).toMatchObject({ result: "deny" });
    expect(await acl("stranger", "s", "bbb/#", "subscribe")).toMatchObject({ result: "deny" });
    // EMQX asks only at SUBSCRIBE: a user's filter reaching requests (tokens, passwords) or
    // another user's replies is refused; its own replies and the fleet's topics are not.
    expect(await acl("eyes", "v1", "bbb/#", "subscribe")).toMatchObject({ result: "deny" });
    expect(await acl("eyes", "v1", "bbb/manager/request/+", "subscribe")).toMatchObject({ result: "deny" });
    expect(await acl("eyes", "v1", "bbb/manager/response/ops/#", "subscribe")).toMatchObject({ result: "deny" });
    expect(await acl("eyes", "v1", "bbb/manager/response/eyes/#", "subscribe")).toMatchObject({ result: "allow" });
    expect(await acl("eyes", "v1", "bbb/registry/#", "subscribe")).toMatchObject({ result: "allow" });
    expect(await acl("eyes", "v1", "bbb/manager/request/hosts.list", "publish")).toMatchObject({ result: "allow" });
  });

  it("speaks VerneMQ webhooks", async () => {
    const reg = await post(
      "/auth",
      {
        username: "eyes",
        password: "viewer-password",
        client_id: "v",
        peer_addr: "10.0.0.1",
        peer_port: 1,
        mountpoint: "",
        clean_session: true,
      },
      { "vernemq-hook": "auth_on_register" },
    );
    expect(reg).toEqual({ result: "ok" });
    const badReg = await post(
      "/auth",
      { username: "eyes", password: "x", client_id: "v" },
      { "vernemq-hook": "auth_on_register" },
    );
    expect(badReg).toEqual({ result: { error: "not_allowed" } });
    const pub = await post(
      "/acl",
      { username: BOARD, client_id: BOARD, topic: `bbb/${BOARD}/status`, qos: 1, retain: true, payload: "" },
      { "vernemq-hook": "auth_on_publish" },
    );
    expect(pub).toEqual({ result: "ok" });
    const sub = await post(
      "/acl",
      {
        username: "eyes",
        client_id: "v",
        topics: [
          { topic: "bbb/registry/#", qos: 1 },
          { topic: "$SYS/#", qos: 0 },
        ],
      },
      { "vernemq-hook": "auth_on_subscribe" },
    );
    expect(sub).toEqual({ result: { error: "not_allowed" } });
  });
});
