import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { USERS_FILE, createUserStore } from "../src/index.js";
import { SECRET, asBoard, asUser, closeAll, connect, until } from "./helpers.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "main.js");

describe.skipIf(!existsSync(MAIN))("broker-only process (skipped: build broker first, `npx tsc -b broker`)", () => {
  let dir: string;
  let child: ChildProcess;
  const lines: Record<string, unknown>[] = [];
  let ready: { mqttPort: number; httpPort: number };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-broker-main-"));
    const users = createUserStore({ file: join(dir, USERS_FILE), log: pino({ level: "silent" }) });
    await users.upsert("vera", "viewer", "viewer-pass-1");
    child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, BBB_MQTT_PORT: "0", BBB_HTTP_PORT: "0", BBB_BIND: "127.0.0.1", BBB_DATA_DIR: dir, BBB_FLEET_SECRET: SECRET, BBB_TOPIC_ROOT: "bbb" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buf = "";
    child.stdout?.on("data", (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
        buf = buf.slice(i + 1);
      }
    });
    expect(await until(() => lines.some((l) => l.msg === "broker ready"), 10_000)).toBe(true);
    ready = lines.find((l) => l.msg === "broker ready") as unknown as typeof ready;
  });
  afterEach(closeAll);
  afterAll(async () => {
    if (child.exitCode === null) child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("logs the ports it got and serves MQTT and MQTT over WebSocket", async () => {
    expect(ready.mqttPort).toBeGreaterThan(0);
    expect(ready.httpPort).toBeGreaterThan(0);
    await asBoard(ready.mqttPort, "b1");
    await asUser(`ws://127.0.0.1:${ready.httpPort}/mqtt`, "vera", { password: "viewer-pass-1" });
  });

  it("picks up users the manager adds to the shared file", async () => {
    const users = createUserStore({ file: join(dir, USERS_FILE), log: pino({ level: "silent" }) });
    await users.load();
    await users.upsert("otto", "operator", "operator-pass-1");
    let ok = false;
    const end = Date.now() + 8000;
    while (!ok && Date.now() < end) {
      ok = await connect(ready.mqttPort, { clientId: "otto-1", username: "otto", password: "operator-pass-1" }).then(
        () => true,
        () => false,
      );
    }
    expect(ok).toBe(true);
  });

  it("stops cleanly on SIGTERM", async () => {
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(lines.some((l) => l.msg === "broker stopped")).toBe(true);
  });
});
