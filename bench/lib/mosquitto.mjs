import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { freePort, spawnProgram, stop, waitPort } from "./children.mjs";

/** Installs Debian's mosquitto when it is missing (the bench installs what it compares against). */
export function ensureMosquitto() {
  try {
    execFileSync("mosquitto", ["-h"], { stdio: "ignore" });
  } catch (e) {
    if (e?.code !== "ENOENT") return;
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "mosquitto", "mosquitto-clients"], { stdio: "inherit" });
  }
}

/**
 * The reference broker, configured so the comparison is fair to it (BENCHMARKS.md §"1. Broker tier: mosquitto vs our broker"):
 * unlimited queue (`max_queued_messages 0`), `set_tcp_nodelay true`, no persistence.
 * Anonymous access: the generator's credentials are sent but not checked.
 */
export async function startMosquitto() {
  ensureMosquitto();
  const dir = mkdtempSync(join(tmpdir(), "bench-mosq-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, "allow_anonymous true", "max_queued_messages 0", "set_tcp_nodelay true", "persistence false", "max_keepalive 65535", "log_dest stderr", "log_type error", "log_type warning", ""].join("\n"),
  );
  const child = spawnProgram("mosquitto", ["-c", conf]);
  await waitPort(port, 10_000, child);
  return {
    pid: child.pid,
    url: { host: "127.0.0.1", port },
    async stop() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function mosquittoVersion() {
  try {
    return execFileSync("mosquitto", ["-h"], { encoding: "utf8" }).split("\n")[0].trim();
  } catch (e) {
    return String(e?.stdout ?? "").split("\n")[0].trim() || null;
  }
}
