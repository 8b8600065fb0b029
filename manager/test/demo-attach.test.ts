import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, waitFor } from "./helpers.js";
import { programEnv } from "./program-env.js";

const SERVER = join(REPO, "manager/dist/main.js");
const DEMO = join(REPO, "manager/dist/demo/main.js");

/** `make start` and `make demo` in two terminals on the same folder, as the README's quick start does. */
describe.skipIf(!existsSync(SERVER) || !existsSync(DEMO))("demo beside a running server", () => {
  let dir: string;
  let server: ChildProcess;
  let serverErr = "";
  const env = () => ({ ...process.env, ...programEnv(dir, { BBB_LOG_LEVEL: "warn" }) });
  const exited = (p: ChildProcess) =>
    new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once("exit", (c) => r(c))));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-demo-attach-"));
    server = spawn(process.execPath, [SERVER], { env: env(), stdio: ["ignore", "ignore", "pipe"] });
    server.stderr!.on("data", (b: Buffer) => (serverErr += b.toString()));
    await waitFor(() => /dashboard\s+http:\/\/\S+/.test(serverErr), 20_000, "server ready");
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill("SIGTERM");
      await exited(server);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it("attaches its simulated boards to the running server instead of failing on the data dir", async () => {
    const demo = spawn(process.execPath, [DEMO, "--boards", "3", "--churn-s", "0"], {
      env: env(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    demo.stdout.on("data", (b: Buffer) => (out += b.toString()));
    demo.stderr.on("data", (b: Buffer) => (out += b.toString()));
    try {
      await waitFor(() => out.includes("3 simulated boards started") || demo.exitCode !== null, 30_000, "demo boards");
      expect(out).toMatch(/attaching to the server running on .* \(pid \d+\), MQTT mqtt:\/\/127\.0\.0\.1:\d+/);
      expect(out).not.toContain("in use");
      const http = /dashboard\s+(http:\/\/\S+)\//.exec(serverErr)![1]!;
      const up = await waitFor(
        async () => {
          const text = await (await fetch(`${http}/metrics`)).text();
          const n = text.split("\n").filter((l) => l.startsWith("bbb_board_up{") && l.endsWith(" 1")).length;
          return n === 3 ? n : null;
        },
        15_000,
        "3 boards alive on the server",
      );
      expect(up).toBe(3);
    } finally {
      demo.kill("SIGINT");
      expect(await exited(demo)).toBe(0);
    }
    // Stopping the demo stops only its boards: the server keeps running.
    expect(server.exitCode).toBeNull();
  });
});
