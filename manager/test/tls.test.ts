import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { ADMIN_PASSWORD, selfSignedCert, startTestServer, type TestServer } from "./helpers.js";

// MQTTS by configuration (docs/protocol.md §"Authentication and ACL"): PEM files named in the config.
describe("MQTTS", () => {
  let dir: string;
  let srv: TestServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-tls-"));
    selfSignedCert(dir);
    srv = await startTestServer({ mqttsPort: 0, tls: { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") } });
  });
  afterAll(async () => {
    await srv?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("accepts an authenticated client over TLS on the MQTTS port", async () => {
    const port = srv.server.ports.mqtts;
    expect(port).toBeGreaterThan(0);
    const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${port}`, {
      username: "admin",
      password: ADMIN_PASSWORD,
      ca: await readFile(join(dir, "cert.pem")),
      reconnectPeriod: 0,
    });
    const got = new Promise<string>((resolve) => c.on("message", (_t, p) => resolve(p.toString())));
    await c.subscribeAsync("bbb/manager/status");
    expect(JSON.parse(await got)).toMatchObject({ state: "online" });
    await c.endAsync();
  });
});
