import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { userInfo } from "node:os";
import { createUserStore } from "../../broker/dist/index.js";
import { ensureMosquitto } from "./mosquitto.mjs";
import { boardId } from "./payloads.mjs";
import { freePort, spawnProgram, stop, waitPort } from "./children.mjs";
import { pino } from "pino";

const BBBCTL = fileURLToPath(new URL("../../manager/dist/cli/main.js", import.meta.url));

/** The board ids startSystem's generator uses: `be…` answering commands, then `bf…`. */
export function systemBoardIds(boards, responders = 1000) {
  const nr = Math.min(boards, responders);
  return [...Array.from({ length: nr }, (_, i) => boardId("be", i)), ...Array.from({ length: boards - nr }, (_, i) => boardId("bf", i))];
}

/**
 * docs/deployment.md §"An existing MQTT broker" for the benchmark: the manager's data dir gets
 * its admin, `bbbctl export mosquitto --data-dir` writes mosquitto's password and ACL files for
 * the generator's boards, and Debian's mosquitto starts with them (tuned as in the broker
 * comparison: unlimited queue, TCP_NODELAY). Returns what startServer needs to run the manager
 * (`BBB_ROLE=manager`) against it.
 */
export async function prepareMosquitto({ dataDir, boards, fleetSecret, adminPassword }) {
  ensureMosquitto();
  const users = createUserStore({ file: join(dataDir, "users.json"), log: pino({ level: "silent" }) });
  await users.load();
  await users.ensureAdmin(adminPassword);
  const ids = systemBoardIds(boards);
  const out = spawnSync(process.execPath, [BBBCTL, "export", "mosquitto", "--data-dir", dataDir, "--out-dir", dataDir, ...ids.flatMap((id) => ["--board", id])], {
    env: { PATH: process.env.PATH, BBB_FLEET_SECRET: fleetSecret },
    encoding: "utf8",
  });
  if (out.status !== 0) throw new Error(`bbbctl export mosquitto failed: ${out.stderr}`);
  const port = await freePort();
  const conf = join(dataDir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      `user ${userInfo().username}`,
      "allow_anonymous false",
      `password_file ${join(dataDir, "passwd")}`,
      `acl_file ${join(dataDir, "acl")}`,
      "max_queued_messages 0",
      "set_tcp_nodelay true",
      "persistence false",
      "max_keepalive 65535",
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "",
    ].join("\n"),
  );
  const child = spawnProgram("mosquitto", ["-c", conf]);
  await waitPort(port, 10_000, child);
  return {
    pid: child.pid,
    env: { BBB_ROLE: "manager", BBB_MQTT_URL: `mqtt://127.0.0.1:${port}` },
    stop: () => stop(child),
  };
}
