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

/**
 * Debian's redis-server on a free loopback port in a temp dir; no persistence, or with
 * `appendonly` and a `password` as docker-stack.yml runs it (`--appendonly yes --save ""
 * --requirepass`).
 */
export async function startRedis({ appendonly = false, password } = {}) {
  ensureRedis();
  const dir = mkdtempSync(join(tmpdir(), "bench-redis-"));
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", appendonly ? "yes" : "no", "--dir", dir, "--protected-mode", "yes"];
  const child = spawnProgram("redis-server", password ? [...args, "--requirepass", password] : args);
  await waitOutput(child, /Ready to accept connections/, 10_000, "redis start");
  return {
    pid: child.pid,
    child,
    port,
    url: `redis://${password ? `:${encodeURIComponent(password)}@` : ""}127.0.0.1:${port}`,
    async stop() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
