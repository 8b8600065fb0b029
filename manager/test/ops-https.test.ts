import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import https from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, REPO, waitFor, selfSignedCert, startTestServer, type TestServer } from "./helpers.js";
import { opsServer } from "./ops-fixtures.js";

// TLS by configuration (docs/deployment.md §"TLS"): with BBB_TLS_CERT / BBB_TLS_KEY the HTTP port speaks HTTPS and WSS.
describe("HTTPS and WSS on the HTTP port", () => {
  let dir: string;
  let ca: Buffer;
  let srv: TestServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-ops-https-"));
    selfSignedCert(dir);
    ca = await readFile(join(dir, "cert.pem"));
    srv = await startTestServer(
      { mqttsPort: 0, tls: { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") } },
      { ...opsServer(), dataDir: join(dir, "data") },
    );
  });
  afterAll(async () => {
    await srv?.server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers /readyz over HTTPS, verified against the CA", async () => {
    expect(srv.http).toMatch(/^https:\/\//);
    const get = () =>
      new Promise<{ status: number | undefined; text: string }>((resolve, reject) => {
        https
          .get(`${srv.http}/readyz`, { ca }, (res) => {
            let text = "";
            res.on("data", (c: Buffer) => (text += c.toString()));
            res.on("end", () => resolve({ status: res.statusCode, text }));
          })
          .on("error", reject);
      });
    const body = await waitFor(
      async () => {
        const r = await get();
        return r.status === 200 ? r : null;
      },
      5000,
      "ready over HTTPS",
    );
    expect(JSON.parse(body.text)).toMatchObject({ status: "ready" });
  });

  it("carries MQTT over WSS, and the image's health check passes over HTTPS", async () => {
    expect(srv.started.urls.ws).toMatch(/^wss:\/\//);
    const c = await mqtt.connectAsync(srv.started.urls.ws, {
      username: "admin",
      password: ADMIN_PASSWORD,
      ca,
      reconnectPeriod: 0,
    });
    await c.endAsync();
    const port = new URL(srv.http).port;
    // Asynchronously: the server under test runs in this process.
    const check = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = execFile(
        process.execPath,
        [join(REPO, "docker/healthcheck.mjs")],
        {
          env: { PATH: process.env.PATH ?? "", BBB_HTTP_PORT: port, BBB_TLS_CERT: join(dir, "cert.pem") },
          timeout: 10_000,
        },
        (_err, _out, stderr) => resolve({ code: p.exitCode, stderr }),
      );
    });
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);
  });
});
