import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect as netConnect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const MOSQUITTO_BROKER = "/usr/sbin/mosquitto";
export const HAS_MOSQUITTO_BROKER = existsSync(MOSQUITTO_BROKER) && existsSync("/usr/bin/mosquitto_passwd");

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const a = s.address();
  await new Promise((r) => s.close(r));
  return typeof a === "object" && a ? a.port : 0;
}

export interface Mosquitto {
  port: number;
  stop(): Promise<void>;
}

/**
 * Debian's mosquitto on a free 127.0.0.1 port, as the reference for generic MQTT clauses.
 * `users` get a password file and an ACL (`read`/`readwrite` patterns per user).
 */
export async function startMosquitto(users: Record<string, { password: string; acl: string[] }> = {}): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), "bbb-mosquitto-"));
  const port = await freePort();
    // As root mosquitto would switch to its own user, who cannot read this test's 0700 folder.
  const lines = [`listener ${port} 127.0.0.1`, "persistence false", "log_dest stderr", "log_type error", "user root"];
  if (Object.keys(users).length > 0) {
    const pw = join(dir, "passwd");
    await writeFile(pw, "");
    for (const [u, v] of Object.entries(users)) execFileSync("/usr/bin/mosquitto_passwd", ["-b", pw, u, v.password]);
    const acl = Object.entries(users).flatMap(([u, v]) => [`user ${u}`, ...v.acl]);
    await writeFile(join(dir, "acl"), acl.join("\n") + "\n");
    lines.push("allow_anonymous false", `password_file ${pw}`, `acl_file ${join(dir, "acl")}`);
  } else {
    lines.push("allow_anonymous true");
  }
  await writeFile(join(dir, "mosquitto.conf"), lines.join("\n") + "\n");
  const child: ChildProcess = spawn(MOSQUITTO_BROKER, ["-c", join(dir, "mosquitto.conf")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = netConnect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (up) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`mosquitto did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await gone;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
