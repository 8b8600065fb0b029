import { pbkdf2, randomBytes } from "node:crypto";
import { MANAGER_USERNAME, type Role } from "@bbb/shared";
import { deriveBoardToken, deriveManagerPassword } from "./tokens.js";

/**
 * mosquitto's own password and ACL files (docs/deployment.md §"An existing MQTT broker"), written
 * from the user store and the fleet secret so a site's mosquitto applies the rules of
 * docs/protocol.md §"Authentication and ACL" itself.
 */

/** PBKDF2 rounds for a user's password (a person's password may be weak): mosquitto checks it at every CONNECT. */
export const MOSQUITTO_USER_ITERATIONS = 20_000;
/** A board token or the manager password is 256 random-looking bits: mosquitto_passwd's own default suffices. */
export const MOSQUITTO_TOKEN_ITERATIONS = 101;

/**
 * mosquitto 2.x `sha512-pbkdf2` hash, as `mosquitto_passwd` writes it: `$7$<iterations>$<salt b64>$<key b64>`,
 * a 12-byte salt and a 64-byte PBKDF2-HMAC-SHA512 key.
 */
export function mosquittoHash(password: string, iterations: number): Promise<string> {
  const salt = randomBytes(12);
  return new Promise((resolve, reject) =>
    pbkdf2(password, salt, iterations, 64, "sha512", (err, key) =>
      err ? reject(err) : resolve(`$7$${iterations}$${salt.toString("base64")}$${key.toString("base64")}`),
    ),
  );
}

export interface MosquittoFileInput {
  root: string;
  /** Users with the mosquitto hash of their password. */
  users: readonly { username: string; role: Role; hash: string }[];
  /** Boards with the hash of their token; the manager with the hash of its password. */
  boards: readonly { id: string; hash: string }[];
  manager: { username: string; hash: string };
}

/** `user:hash` lines (mosquitto's `password_file`). */
export function mosquittoPasswordFile(i: MosquittoFileInput): string {
  const lines = [`${i.manager.username}:${i.manager.hash}`, ...i.users.map((u) => `${u.username}:${u.hash}`), ...i.boards.map((b) => `${b.id}:${b.hash}`)];
  return `${lines.join("\n")}\n`;
}

/**
 * mosquitto's `acl_file`: one `user` block per login, no `pattern` lines (a pattern would apply to
 * users and boards alike). What mosquitto cannot say: it cannot refuse a retained command (the
 * agent ignores retained commands) and it drops a refused publish without closing a board.
 */
export function mosquittoAclFile(i: MosquittoFileInput): string {
  const r = i.root;
  const out: string[] = [
    "# Written by `bbbctl export mosquitto` from the user store and the fleet secret; regenerate, do not edit.",
    "# docs/protocol.md \"Authentication and ACL\"",
    "",
    `user ${i.manager.username}`,
    `topic readwrite ${r}/#`,
  ];
  for (const u of i.users) {
    out.push(
      "",
      `user ${u.username}`,
      `topic read ${r}/+/status`,
      `topic read ${r}/+/heartbeat`,
      `topic read ${r}/+/result/+`,
      `topic read ${r}/+/log`,
      `topic read ${r}/+/iocs`,
      `topic read ${r}/+/inventory`,
      `topic read ${r}/registry/#`,
      // Replies to this user only (docs/protocol.md "Manager requests"); requests go to the manager only.
      `topic read ${r}/manager/response/${u.username}/#`,
      `topic write ${r}/manager/request/+`,
    );
    if (u.role !== "viewer") out.push(`topic write ${r}/+/cmd/+`);
    if (u.role === "admin") out.push("topic read $SYS/#");
  }
  for (const b of i.boards) {
    out.push(
      "",
      `user ${b.id}`,
      `topic write ${r}/${b.id}/status`,
      `topic write ${r}/${b.id}/heartbeat`,
      `topic write ${r}/${b.id}/result/+`,
      `topic write ${r}/${b.id}/log`,
      `topic write ${r}/${b.id}/iocs`,
      `topic write ${r}/${b.id}/inventory`,
      `topic read ${r}/${b.id}/cmd/#`,
      // Its type's IOC declaration (docs/epics.md); mosquitto cannot hold it to its own type.
      `topic read ${r}/registry/types/+`,
    );
  }
  return `${out.join("\n")}\n`;
}

/**
 * Both files for a fleet: every user with a mosquitto hash, the boards named (their tokens from
 * the fleet secret) and the manager. Used by the manager's `mosquitto.export` and by
 * `bbbctl export mosquitto --data-dir` before the first start (the manager cannot start until
 * the broker admits it).
 */
export async function buildMosquittoFiles(o: {
  root: string;
  fleetSecret: string;
  users: readonly { username: string; role: Role; hash: string | null }[];
  boards: readonly string[];
}): Promise<{ passwordFile: string; aclFile: string; boards: number; users: number; usersWithoutHash: string[] }> {
  const users = o.users.flatMap((u) => (u.hash ? [{ username: u.username, role: u.role, hash: u.hash }] : []));
  const ids = [...new Set(o.boards)].sort();
  const boards = await Promise.all(ids.map(async (id) => ({ id, hash: await mosquittoHash(deriveBoardToken(o.fleetSecret, id), MOSQUITTO_TOKEN_ITERATIONS) })));
  const input = {
    root: o.root,
    users,
    boards,
    manager: { username: MANAGER_USERNAME, hash: await mosquittoHash(deriveManagerPassword(o.fleetSecret), MOSQUITTO_TOKEN_ITERATIONS) },
  };
  return {
    passwordFile: mosquittoPasswordFile(input),
    aclFile: mosquittoAclFile(input),
    boards: boards.length,
    users: users.length,
    usersWithoutHash: o.users.filter((u) => !u.hash).map((u) => u.username),
  };
}
