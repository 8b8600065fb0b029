import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFrontExtension } from "../src/front/front-extension.js";
import { adminEnv, bbbctl } from "./cli-runner.js";
import { ADMIN_PASSWORD, startSimBoard, startTestServer, waitFor, type SimBoard, type TestServer } from "./helpers.js";

const BIN = join(import.meta.dirname, "../dist/cli/main.js");

/**
 * The built bbbctl on a pseudo-terminal (util-linux `script`), so it sees a terminal on stdin
 * and stderr as an operator's shell gives it; `answer` is typed once the prompt shows.
 */
function onTerminal(args: string[], env: Record<string, string>, answer: string) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    const cmd = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
    const p = spawn("script", ["-qec", cmd, "/dev/null"], { env: { ...process.env, ...env, TERM: "dumb" } });
    let out = "";
    let typed = false;
    const timer = setTimeout(() => p.kill("SIGKILL"), 20_000);
    p.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (!typed && out.includes("[y/N]")) {
        typed = true;
        p.stdin.write(answer + "\r");
      }
    });
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

const canRun = existsSync(BIN) && existsSync("/usr/bin/script");

describe.skipIf(!canRun)("bbbctl hosts rm and confirmation on a terminal", () => {
  let srv: TestServer;
  let env: Record<string, string>;
  let live: SimBoard;
  let dead: SimBoard;

  beforeAll(async () => {
    srv = await startTestServer({}, { extensions: [createFrontExtension()] });
    env = adminEnv(srv.started.ports.cmd, { BBB_PASSWORD: ADMIN_PASSWORD });
    live = await startSimBoard(srv.mqttUrl, 931, { ip: "10.128.30.31", hostname: "forget-live" });
    dead = await startSimBoard(srv.mqttUrl, 932, { ip: "10.128.30.32", hostname: "forget-dead" });
    const reg = srv.server.manager.registry;
    await waitFor(
      () => (reg.records.get(live.boardId)?.alive && reg.records.get(dead.boardId)?.alive) || null,
      10_000,
      "boards alive",
    );
    await dead.stop();
    await waitFor(() => reg.records.get(dead.boardId)?.alive === false || null, 10_000, "board dead");
  });
  afterAll(async () => {
    await live?.stop().catch(() => undefined);
    await srv?.stop();
  });

  it("refuses to forget a board that is alive, with MGR_E_CONFLICT and exit 1", async () => {
    const r = await bbbctl(["hosts", "rm", live.boardId], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`${live.boardId}\\s+refused\\s+MGR_E_CONFLICT`));
    expect(srv.server.manager.registry.records.has(live.boardId)).toBe(true);
  });

  it("asks before forgetting several boards; no leaves everything as it was", async () => {
    const r = await onTerminal(["hosts", "rm", dead.boardId, "nosuchboard"], env, "n");
    expect(r.out).toContain("forget 2 boards? [y/N]");
    expect(r.out).toContain("forget: not confirmed, nothing was done");
    expect(r.code).toBe(2);
    expect(srv.server.manager.registry.records.has(dead.boardId)).toBe(true);
  });

  it("forgets on yes: the dead board goes, its history stays, an unknown id is refused", async () => {
    const r = await onTerminal(["hosts", "rm", dead.boardId, "nosuchboard"], env, "y");
    expect(r.out).toMatch(new RegExp(`${dead.boardId}\\s+removed`));
    expect(r.out).toMatch(/nosuchboard\s+refused\s+MGR_E_NOT_FOUND/);
    expect(r.code).toBe(1);
    expect(srv.server.manager.registry.records.has(dead.boardId)).toBe(false);
    const hist = await bbbctl(["history", dead.boardId, "--json"], env);
    const kinds = (JSON.parse(hist.stdout) as { kind: string; message: string }[]).map((h) => h.message);
    expect(kinds).toContain(`board ${dead.boardId} removed`);
    expect(kinds.length).toBeGreaterThan(1);
  });

  it("shows how many boards a filter run touches and sends nothing when declined", async () => {
    const before = live.exec.calls.length;
    const r = await onTerminal(["reboot", "--sector", "3"], env, "n");
    expect(r.out).toContain("reboot 1 board matching the filter? [y/N]");
    expect(r.code).toBe(2);
    expect(live.exec.calls.slice(before).filter((c) => c.includes("reboot"))).toEqual([]);
  });
});
