import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import type { BbbServer, StartedServer } from "../src/create-server.js";
import { ADMIN_PASSWORD, waitFor, startTestServer } from "./helpers.js";

// The HTTP port of the all-in-one server: dashboard files, health, the /api hook, MQTT over WebSocket.
describe("HTTP server shell", () => {
  let dir: string;
  let server: BbbServer;
  let started: StartedServer;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-http-"));
    const dist = join(dir, "dist");
    await mkdir(join(dist, "assets"), { recursive: true });
    await writeFile(join(dist, "index.html"), "<!doctype html><title>bbb</title>");
    await writeFile(join(dist, "assets", "app-1a2b.js"), "console.log(1)");
    await writeFile(join(dir, "secret.txt"), "outside");
    const t = await startTestServer(
      {},
      {
        dataDir: join(dir, "data"),
        staticDir: dist,
        settleMs: 100,
        extensions: [
        {
          name: "api-probe",
          start: async () => ({
            api: (req, res) => {
              if (req.url !== "/api/probe") return false;
              res.end("probe");
              return true;
            },
          }),
        },
      ],
      },
    );
    server = t.server;
    started = t.started;
    base = started.urls.http;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("serves the dashboard with content types and cache headers, index.html for SPA routes", async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const asset = await fetch(`${base}/assets/app-1a2b.js`);
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(asset.headers.get("cache-control")).toMatch(/immutable/);
    const route = await fetch(`${base}/hosts/a0f6fd8b1c22`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain("<title>bbb</title>");
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/..%2fsecret.txt`)).status).toBe(404);
  });

  it("answers /healthz and /readyz, and mounts the API handler under /api", async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: "ok", mqtt: true });
    // Ready once the registry settled after start-up (503 before).
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 5000, "readyz 200");
    expect(await (await fetch(`${base}/api/probe`)).text()).toBe("probe");
    const none = await fetch(`${base}/api/nothing`);
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: { code: "MGR_E_NOT_FOUND" } });
  });

  it("carries MQTT over WebSocket at /mqtt", async () => {
    const c = await mqtt.connectAsync(started.urls.ws, {
      username: "admin",
      password: ADMIN_PASSWORD,
      reconnectPeriod: 0,
    });
    const got = new Promise<string>((resolve) => c.on("message", (_t, p) => resolve(p.toString())));
    await c.subscribeAsync("bbb/manager/status");
    expect(JSON.parse(await got)).toMatchObject({ v: 1, state: "online" });
    await c.endAsync();
  });
});
