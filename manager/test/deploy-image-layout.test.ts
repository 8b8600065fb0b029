import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The server image's runtime stage without a Docker engine: /app is laid out from exactly the
// runtime stage's COPY lines of docker/Dockerfile (workspace package.json + dist, the docker/
// scripts; node_modules linked to this checkout's), then each BBB_ROLE is started through
// docker/entrypoint.mjs and checked with docker/healthcheck.mjs: all-in-one; a broker and a
// manager that logs in to it with the password derived from the shared fleet secret (*_FILE).
const repo = resolve(import.meta.dirname, "..", "..");
const built = ["shared", "broker", "agent", "manager"].every((w) => existsSync(join(repo, w, "dist")));
const dashboardBuilt = existsSync(join(repo, "dashboard", "dist", "index.html"));
const notBuilt = built && dashboardBuilt ? "" : "(needs `npm run build` first: workspace dist/ folders missing)";

let work = "";
let app = "";
const children: ChildProcess[] = [];

/** The runtime stage's COPY sources (from the build stage: /src/<path>; or from the context). */
function runtimeCopies(): { from: string; to: string }[] {
  const text = readFileSync(join(repo, "docker", "Dockerfile"), "utf8");
  const lastFrom = text.lastIndexOf("\nFROM ");
  const out: { from: string; to: string }[] = [];
  for (const line of text.slice(lastFrom).split("\n")) {
    if (!line.startsWith("COPY ")) continue;
    const parts = line.split(/\s+/).slice(1).filter((p) => !p.startsWith("--"));
    const dest = parts.pop()!;
    for (const src of parts) {
      const rel = src.replace(/^\/src\//, "");
      const to = dest.startsWith("/") ? dest : join("/app", dest);
      out.push({ from: rel, to: to.endsWith("/") ? join(to, rel.split("/").pop()!) : to });
    }
  }
  return out;
}

function layOut(): void {
  for (const { from, to } of runtimeCopies()) {
    if (!to.startsWith("/app/")) continue; // /usr/local/bin/bbbctl: not needed to run the roles
    const target = join(app, to.slice("/app/".length));
    mkdirSync(dirname(target), { recursive: true });
    if (from === "node_modules") {
      // Production dependencies from this checkout, but the workspaces from the laid-out /app
      // (as in the image, where node_modules/@bbb/* are links to ../../<workspace>).
      mkdirSync(target);
      for (const e of readdirSync(join(repo, "node_modules"))) {
        if (e === "@bbb" || e === ".bin") continue;
        symlinkSync(join(repo, "node_modules", e), join(target, e));
      }
      mkdirSync(join(target, "@bbb"));
      for (const w of readdirSync(join(repo, "node_modules", "@bbb"))) symlinkSync(join("..", "..", w), join(target, "@bbb", w));
    } else {
      cpSync(join(repo, from), target, { recursive: true });
    }
  }
}

interface Running {
  child: ChildProcess;
  /** The first log line with this msg, parsed. */
  line: (msg: string) => Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [join(app, "docker", "entrypoint.mjs")], {
    cwd: work,
    env: { PATH: process.env.PATH ?? "", BBB_BIND: "127.0.0.1", BBB_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  const line = async (msg: string) => {
    const end = Date.now() + 45_000;
    for (;;) {
      for (const l of out.split("\n")) {
        if (!l.startsWith("{")) continue;
        const o = JSON.parse(l) as Record<string, unknown>;
        if (o.msg === msg) return o;
      }
      if (Date.now() > end || child.exitCode !== null) throw new Error(`no "${msg}" line; output: ${out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, line, exited };
}

function health(env: Record<string, string>): Promise<number | null> {
  return new Promise((done) => {
    const c = spawn(process.execPath, [join(app, "docker", "healthcheck.mjs")], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: "ignore" });
    c.on("exit", (code) => done(code));
  });
}

async function stop(r: Running): Promise<number | null> {
  r.child.kill("SIGTERM");
  return r.exited;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "bbb-image-"));
  app = join(work, "app");
  if (notBuilt === "") layOut();
  writeFileSync(join(work, "fleet-secret"), "image-layout-fleet-secret-0123456789abcdef\n");
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(notBuilt !== "")(`server image runtime layout ${notBuilt}`, () => {
  const ports0 = { BBB_MQTT_PORT: "0", BBB_HTTP_PORT: "0", BBB_CMD_PORT: "0", BBB_SFTP_PORT: "0", BBB_MQTTS_PORT: "0" };

  it("all-in-one starts from the copied files only and is healthy", async () => {
    const aio = start({ ...ports0, BBB_ROLE: "all-in-one", BBB_DATA_DIR: join(work, "data-aio"), BBB_FLEET_SECRET_FILE: join(work, "fleet-secret") });
    const ready = await aio.line("bbb server ready");
    const http = (ready.ports as { http: number }).http;
    expect(await health({ BBB_HTTP_PORT: String(http) })).toBe(0);
    const page = await fetch(`http://127.0.0.1:${http}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
    expect(await stop(aio)).toBe(0);
  }, 90_000);

  it("a broker and a manager sharing the fleet secret file: both healthy, the manager ready", async () => {
    const broker = start({ ...ports0, BBB_ROLE: "broker", BBB_DATA_DIR: join(work, "data-broker"), BBB_FLEET_SECRET_FILE: join(work, "fleet-secret") });
    const b = await broker.line("broker ready");
    const mqttPort = String(b.mqttPort);
    expect(await health({ BBB_ROLE: "broker", BBB_MQTT_PORT: mqttPort })).toBe(0);

    const manager = start({
      ...ports0,
      BBB_ROLE: "manager",
      BBB_MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      BBB_DATA_DIR: join(work, "data-manager"),
      BBB_FLEET_SECRET_FILE: join(work, "fleet-secret"),
    });
    const m = await manager.line("bbb server ready");
    const http = (m.ports as { http: number }).http;
    expect(await health({ BBB_HTTP_PORT: String(http) })).toBe(0);
    // Ready only once the manager is logged in to the broker tier and has rebuilt its registry.
    const end = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < end && status !== 200) {
      status = (await fetch(`http://127.0.0.1:${http}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect(await stop(manager)).toBe(0);
    expect(await stop(broker)).toBe(0);
  }, 120_000);
});
