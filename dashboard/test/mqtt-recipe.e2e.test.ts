import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import * as fleet from "./support/fleet.js";
import { docRecipe, runRecipe } from "./support/recipe.js";

const haveClients = existsSync("/usr/bin/mosquitto_pub") && existsSync("/usr/bin/mosquitto_sub") && existsSync("/usr/bin/jq");

describe.skipIf(!haveClients)("docs/protocol.md's mosquitto request recipe, through our broker", () => {
  let srv: Awaited<ReturnType<typeof fleet.startServer>>;
  let admin: MqttClient;
  let env: Record<string, string>;
  const recipe = docRecipe("mqtt-request");

  beforeAll(async () => {
    srv = await fleet.startServer(null, { cmdPort: 0 });
    admin = await fleet.connectAdmin(srv.started.urls.mqtt);
    await fleet.addUser(admin, "vera", "viewer", "vera-password");
    const port = new URL(srv.started.urls.mqtt).port;
    env = { BBB_HOST: "127.0.0.1", BBB_MQTT_PORT: port, BBB_USER: "vera", BBB_PASSWORD: "vera-password" };
  });
  afterAll(async () => {
    admin?.end(true);
    await srv?.stop();
  });

  it("logs in, asks hosts.list with the token and prints the answer", async () => {
    const out = await runRecipe(recipe, env);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const answer = JSON.parse(out.stdout) as { transaction: string; status: string; data: { total: number; items: unknown[] } };
    expect(answer).toMatchObject({ transaction: "t2", status: "ok", data: { total: 0, items: [] } });
  });

  it("a wrong password gets MGR_E_UNAUTHENTICATED on the user's reply topic, and no token", async () => {
    const out = await runRecipe(`${recipe.split("\ntoken=")[0]}\nask auth.login '{"transaction":"t1","replyTo":"r9","params":{"username":"vera","password":"wrong-password"}}'`.replace(/sh-\$\$/g, "r9"), env);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ transaction: "t1", status: "error", error: { code: "MGR_E_UNAUTHENTICATED" } });
  });

  it("a viewer's token does not make it an operator: users.upsert is refused", async () => {
    // A function replacement: in a replacement string `$$` would collapse to `$`.
    const script = recipe.replace(/ask hosts\.list .*$/m, () => `ask users.upsert "{\\"transaction\\":\\"t3\\",\\"replyTo\\":\\"sh-$$\\",\\"token\\":\\"$token\\",\\"params\\":{\\"username\\":\\"eve\\",\\"role\\":\\"admin\\",\\"password\\":\\"eve-password\\"}}"`);
    const out = await runRecipe(script, env);
    expect(JSON.parse(out.stdout)).toMatchObject({ transaction: "t3", status: "error", error: { code: "MGR_E_FORBIDDEN" } });
  });
});
