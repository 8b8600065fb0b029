import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { pino } from "pino";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configSchema } from "../src/config/schema.js";
import { createServer, type BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { ADMIN_PASSWORD, FLEET_SECRET, connectClient, request } from "./helpers.js";

const URL_WITH_SECRETS = "https://bot:p4ss-w0rd@hooks.example.org/services/T0/B0/XXXXSECRETPATH?token=QSECRET";

/** An operator lists webhooks: receivers' credentials (URL and headers) must not come with them. */
describe("webhook secrets are write-only", () => {
  let dir: string;
  let server: BbbServer;
  let admin: MqttClient;
  let op: MqttClient;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-hook-secrets-"));
    const config = configSchema.parse({ mqttPort: 0, httpPort: 0, bind: "127.0.0.1", dataDir: join(dir, "data"), fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD });
    server = createServer({ config, log: pino({ level: "silent" }), staticDir: null, settleMs: 100, extensions: [createFrontExtension({ socket: false })] });
    const started = await server.start();
    await server.manager.service.users!.upsert("op1", "operator", "operator-password-1");
    admin = await connectClient(started.urls.mqtt, "admin", ADMIN_PASSWORD);
    op = await connectClient(started.urls.mqtt, "op1", "operator-password-1");
  });
  afterAll(async () => {
    await admin?.endAsync();
    await op?.endAsync();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("lists no URL credentials, path token or header value; an edit sending the redacted rule back keeps them", async () => {
    const rule = { id: "r1", url: URL_WITH_SECRETS, headers: { Authorization: "Bearer HEADERSECRET" } };
    const up = await request(admin, "webhooks.upsert", rule);
    expect(up.status).toBe("ok");
    for (const c of [op, admin]) {
      const text = JSON.stringify((await request(c, "webhooks.list", {})).data);
      for (const secret of ["p4ss", "SECRETPATH", "QSECRET", "HEADERSECRET"]) expect(text).not.toContain(secret);
    }
    const listed = (await request(admin, "webhooks.list", {})).data as { items: Record<string, unknown>[] };
    const { hasSecret: _h, ...shown } = listed.items[0]!;
    expect(shown.url).toBe("https://***@hooks.example.org/***");
    expect((await request(admin, "webhooks.upsert", { ...shown, name: "renamed" })).status).toBe("ok");
    const file = (await import("node:fs/promises")).readFile(join(dir, "data/webhooks.json"), "utf8");
    const stored = JSON.parse(await file) as { rules: { url: string; name: string; headers: Record<string, string> }[] };
    expect(stored.rules[0]).toMatchObject({ name: "renamed", url: URL_WITH_SECRETS, headers: { Authorization: "Bearer HEADERSECRET" } });
  });
});
