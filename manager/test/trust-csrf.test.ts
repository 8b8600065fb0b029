import { createServer as createHttpServer, type Server } from "node:http";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.js";
import { createServer, type BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createOpsExtension } from "../src/ops/ops-extension.js";
import { ADMIN_PASSWORD, FLEET_SECRET, REPO } from "./helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const DIST = join(REPO, "dashboard/dist");

/**
 * Cross-site request forgery against an admin whose browser knows the server's password, with
 * Debian's Chromium as the victim's browser and a second local server as the attacker's site.
 */
describe.skipIf(!existsSync(CHROMIUM) || !existsSync(join(DIST, "index.html")))("CSRF and framing, Chromium as the victim", () => {
  let dir: string;
  let server: BbbServer;
  let api: string;
  let evil: Server;
  let evilUrl: string;
  let evilPage = "";
  let context: BrowserContext;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-csrf-"));
    const config = configSchema.parse({
      mqttPort: 0, httpPort: 0, bind: "127.0.0.1", dataDir: join(dir, "data"),
      fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD,
    });
    server = createServer({ config, log: pino({ level: "silent" }), staticDir: DIST, settleMs: 100,
      extensions: [createFrontExtension({ socket: false }), createOpsExtension()] });
    const started = await server.start();
    api = `http://127.0.0.1:${started.ports.http}`;
    server.manager.service.editor.upsertType({ name: "mbtemp", description: "", colour: "#607d8b", source: null, rcLocalPath: null, overlay: null, pvPrefixPattern: null }, { by: "test", via: "internal" });
    evil = createHttpServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end(evilPage));
    await new Promise<void>((r) => evil.listen(0, "127.0.0.1", r));
    evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}/`;
    const profile = join(dir, "profile");
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    // The admin once opened the API in this browser: a Basic challenge there would make the
    // browser keep the password for the server and send it with every later request to it.
    const first = await context.newPage();
    await first.goto(`${api.replace("//", `//admin:${ADMIN_PASSWORD}@`)}/api/hosts`);
    await first.close();
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await server?.stop();
    await new Promise((r) => evil?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;
  /** What a browser holding the admin's Basic password sends for an attacker's page (Origin: the attacker's). */
  const forged = (path: string, init: { method: string; type?: string; body?: string }) =>
    fetch(`${api}${path}`, {
      method: init.method,
      headers: { authorization: basic, origin: evilUrl.replace(/\/$/, ""), ...(init.type ? { "content-type": init.type } : {}) },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
  const csv = (host: string) => JSON.stringify({ csv: `Hostname,IP,Type,Sector,PV prefix\n${host},dhcp,mbtemp,,` });

  it("a cross-site POST of JSON as text/plain (a form or a no-cors fetch) imports nothing", async () => {
    const r = await forged("/api/nodes/import", { method: "POST", type: "text/plain", body: csv("csrf-text") });
    expect(r.status).toBe(415);
    expect(server.manager.registry.nodes.has("csrf-text")).toBe(false);
  });

  it("a cross-site POST with a JSON type is refused by its Origin; the server's own origin and curl pass", async () => {
    const r = await forged("/api/nodes/import", { method: "POST", type: "application/json", body: csv("csrf-json") });
    expect(r.status).toBe(403);
    expect(server.manager.registry.nodes.has("csrf-json")).toBe(false);
    const own = await fetch(`${api}/api/nodes/import`, {
      method: "POST",
      headers: { authorization: basic, origin: api, "content-type": "application/json" },
      body: csv("own-origin"),
    });
    expect(own.status).toBe(200);
    const curl = await fetch(`${api}/api/nodes/import`, {
      method: "POST",
      headers: { authorization: basic, "content-type": "application/json" },
      body: csv("from-curl"),
    });
    expect(curl.status).toBe(200);
    expect(server.manager.registry.nodes.has("own-origin") && server.manager.registry.nodes.has("from-curl")).toBe(true);
  });

  it("GET of the backup route makes no backup and deletes none; POST from curl does", async () => {
    const r = await forged("/api/server/backup", { method: "GET" });
    expect(r.status).toBe(405);
    expect(await readdir(join(dir, "data/backups")).catch(() => [])).toEqual([]);
    const made = await fetch(`${api}/api/server/backup`, { method: "POST", headers: { authorization: basic } });
    expect(made.status).toBe(200);
    await made.arrayBuffer();
    expect(await readdir(join(dir, "data/backups"))).toHaveLength(1);
  });

  it("the API never offers a Basic challenge; the dashboard sends a CSP and cannot be framed", async () => {
    const r = await fetch(`${api}/api/hosts`);
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate") ?? "").not.toMatch(/basic/i);
    const home = await fetch(`${api}/`);
    expect(home.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    evilPage = `<iframe id=x src="${api}/"></iframe>`;
    const page = await context.newPage();
    await page.goto(evilUrl);
    const frame = await (await page.waitForSelector("iframe")).contentFrame();
    // A refused frame stays empty: the dashboard's #app never exists inside it.
    await page.waitForTimeout(500);
    expect(await frame?.$("#app").catch(() => null)).toBeNull();
    await page.close();
    // Served directly, the dashboard runs under its CSP without violations.
    const own = await context.newPage();
    const violations: string[] = [];
    own.on("console", (m) => {
      if (/content security policy/i.test(m.text())) violations.push(m.text());
    });
    await own.goto(`${api}/`);
    await own.waitForSelector("#app *", { timeout: 10_000 });
    // Signed in, the MQTT client starts its keepalive timers in a worker made from a Blob.
    await own.fill("#login-user", "admin");
    await own.fill("#login-pass", ADMIN_PASSWORD);
    await own.click('[data-testid="login-submit"]');
    await own.waitForSelector('[data-testid="connection"][data-status="online"]', { timeout: 15_000 });
    await own.waitForTimeout(300);
    expect(violations).toEqual([]);
    await own.close();
  });
});
