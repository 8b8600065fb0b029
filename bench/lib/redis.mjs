import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { freePort, spawnProgram, stop, waitOutput } from "./children.mjs";

export function ensureRedis() {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
  } catch (e) {
    if (e?.code !== "ENOENT") return;
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "redis-server"], { stdio: "inherit" });
  }
}

/** Debian's redis-server on a free loopback port, no persistence, in a temp dir. */
export async function startRedis() {
  ensureRedis();
  const dir = mkdtempSync(join(tmpdir(), "bench-redis-"));
  const port = await freePort();
  const child = spawnProgram("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes"]);
  await waitOutput(child, /Ready to accept connections/, 10_000, "redis start");
  return {
    pid: child.pid,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
