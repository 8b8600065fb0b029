import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The image's entrypoint (role selection, *_FILE secrets) and health check, run as real
// processes in a copy of the image's /app layout whose role programs print what they got.
const repo = resolve(import.meta.dirname, "..", "..");
let app = "";

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(app, "docker", script)], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", fail);
    child.on("exit", (code) => done({ code, out, err }));
  });
}

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), "bbb-app-"));
  mkdirSync(join(app, "docker"));
  for (const f of ["entrypoint.mjs", "healthcheck.mjs"]) copyFileSync(join(repo, "docker", f), join(app, "docker", f));
  const probe = (role: string) =>
    `console.log(JSON.stringify({ main: ${JSON.stringify(role)}, role: process.env.BBB_ROLE, ` +
    `secret: process.env.BBB_FLEET_SECRET, admin: process.env.BBB_ADMIN_PASSWORD }));\n`;
  for (const [dir, role] of [
    ["manager", "manager"],
    ["broker", "broker"],
  ] as const) {
    mkdirSync(join(app, dir, "dist"), { recursive: true });
    writeFileSync(join(app, dir, "dist", "main.js"), probe(role));
  }
  writeFileSync(join(app, "secret.txt"), "s3cret-fleet-secret-0123456789\n");
});
afterAll(() => {
  rmSync(app, { recursive: true, force: true });
});

describe("docker/entrypoint.mjs", () => {
  it("runs the manager for all-in-one (the default) and manager, the broker for broker", async () => {
    const def = await run("entrypoint.mjs", {});
    expect(JSON.parse(def.out)).toMatchObject({ main: "manager", role: "all-in-one" });
    const mgr = await run("entrypoint.mjs", { BBB_ROLE: "manager" });
    expect(JSON.parse(mgr.out)).toMatchObject({ main: "manager", role: "manager" });
    const brk = await run("entrypoint.mjs", { BBB_ROLE: "broker" });
    expect(JSON.parse(brk.out)).toMatchObject({ main: "broker", role: "broker" });
  });

  it("refuses an unknown role with exit code 2", async () => {
    const r = await run("entrypoint.mjs", { BBB_ROLE: "everything" });
    expect(r.code).toBe(2);
    expect(r.err).toContain("BBB_ROLE=everything");
  });

  it("reads NAME_FILE into NAME (trailing newline removed) unless NAME is set", async () => {
    const fromFile = await run("entrypoint.mjs", { BBB_FLEET_SECRET_FILE: join(app, "secret.txt") });
    expect(JSON.parse(fromFile.out)).toMatchObject({ secret: "s3cret-fleet-secret-0123456789" });
    const explicit = await run("entrypoint.mjs", {
      BBB_FLEET_SECRET_FILE: join(app, "secret.txt"),
      BBB_FLEET_SECRET: "given-in-env-0123456789",
    });
    expect(JSON.parse(explicit.out)).toMatchObject({ secret: "given-in-env-0123456789" });
    const missing = await run("entrypoint.mjs", { BBB_ADMIN_PASSWORD_FILE: join(app, "nope") });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("BBB_ADMIN_PASSWORD_FILE");
  });
});

describe("docker/bbbctl", () => {
  it("runs the manager's command line with the fleet secret read from BBB_FLEET_SECRET_FILE", async () => {
    mkdirSync(join(app, "manager", "dist", "cli"), { recursive: true });
    writeFileSync(
      join(app, "manager", "dist", "cli", "main.js"),
      "console.log(JSON.stringify({ argv: process.argv.slice(2), secret: process.env.BBB_FLEET_SECRET }));\n",
    );
    const r = await new Promise<string>((done, fail) => {
      const child = spawn("sh", [join(repo, "docker", "bbbctl"), "token", "a0f6fd8b1c22"], {
        env: { PATH: process.env.PATH ?? "", BBB_APP_DIR: app, BBB_FLEET_SECRET_FILE: join(app, "secret.txt") },
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (b: Buffer) => (out += b.toString()));
      child.on("error", fail);
      child.on("exit", () => done(out));
    });
    expect(JSON.parse(r)).toEqual({ argv: ["token", "a0f6fd8b1c22"], secret: "s3cret-fleet-secret-0123456789" });
  });
});

describe("docker/healthcheck.mjs", () => {
  let server: Server;
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === "/healthz" ? status : 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("exits 0 when /healthz answers 200, 1 otherwise and when nothing listens", async () => {
    const port = String((server.address() as AddressInfo).port);
    status = 200;
    expect((await run("healthcheck.mjs", { BBB_HTTP_PORT: port })).code).toBe(0);
    status = 503;
    expect((await run("healthcheck.mjs", { BBB_HTTP_PORT: port })).code).toBe(1);
    server.closeAllConnections();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const freePort = String((closed.address() as AddressInfo).port);
    await new Promise<void>((r) => closed.close(() => r()));
    expect((await run("healthcheck.mjs", { BBB_HTTP_PORT: freePort })).code).toBe(1);
  });

  it("for the broker role, checks that the MQTT port accepts a connection", async () => {
    const mqttPort = String((server.address() as AddressInfo).port); // any listening TCP port
    expect((await run("healthcheck.mjs", { BBB_ROLE: "broker", BBB_MQTT_PORT: mqttPort })).code).toBe(0);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const freePort = String((closed.address() as AddressInfo).port);
    await new Promise<void>((r) => closed.close(() => r()));
    expect((await run("healthcheck.mjs", { BBB_ROLE: "broker", BBB_MQTT_PORT: freePort })).code).toBe(1);
  });
});
