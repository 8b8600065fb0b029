import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO } from "./helpers.js";
import { programEnv } from "./program-env.js";

const MAIN = join(REPO, "manager/dist/main.js");

/**
 * The real server program until its first "ready" log line, on a pseudo-terminal (util-linux
 * `script`) or on a pipe; stopped with SIGTERM by its pid.
 */
function firstLines(env: Record<string, string>, tty: boolean) {
  return new Promise<string>((resolve, reject) => {
    const p = tty
      ? spawn("script", ["-qec", `exec '${process.execPath}' '${MAIN}'`, "/dev/null"], {
          env: { ...process.env, ...env },
        })
      : spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stderr?.on("data", (b: Buffer) => (err += b.toString()));
    const timer = setTimeout(() => p.kill("SIGKILL"), 30_000);
    p.stdout.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("bbb server ready")) p.kill("SIGTERM");
    });
    p.on("error", reject);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      // A server that did not get to "ready" says why on stderr: keep it for the failure message.
      resolve(out.includes("bbb server ready") ? out : `${out}\n[exit ${code ?? signal}] ${err}`);
    });
  });
}

describe.skipIf(!existsSync(MAIN) || !existsSync("/usr/bin/script"))("log format of the server program", () => {
  // A data dir per start: `script` exits on SIGTERM before the server it runs has stopped and
  // released its data dir lock, and the next start must not depend on how long that takes.
  const dirs: string[] = [];
  const env = async () => {
    const dir = await mkdtemp(join(tmpdir(), "bbb-log-format-"));
    dirs.push(dir);
    return programEnv(dir);
  };
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("is pretty on a terminal, JSON on a pipe, and BBB_LOG_FORMAT=json wins on a terminal", async () => {
    const onTty = await firstLines(await env(), true);
    expect(onTty).toContain("\x1b[32mINFO \x1b[0m");
    expect(onTty.replace(/\x1b\[\d+m/g, "")).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  bbb server ready /m);
    expect(onTty).not.toContain('"msg":"bbb server ready"');
    const piped = await firstLines(await env(), false);
    const ready = piped.split("\n").find((l) => l.includes("bbb server ready"));
    expect(ready, piped).toBeDefined();
    expect(JSON.parse(ready ?? "")).toMatchObject({ level: 30, msg: "bbb server ready" });
    const forced = await firstLines({ ...(await env()), BBB_LOG_FORMAT: "json" }, true);
    expect(forced).toContain('"msg":"bbb server ready"');
  });
});
