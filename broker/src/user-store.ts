import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import type pino from "pino";
import { CodedError, MANAGER_USERNAME, nameSchema, roleSchema, type Role } from "@bbb/shared";
import { writeFileAtomic } from "@bbb/shared/node";
import { BrokerErrorCodes } from "./errors.js";
import { dummyHash, hashPassword, verifyPassword } from "./password-hash.js";
import { createVerifiedCache } from "./verified-cache.js";
import { MOSQUITTO_USER_ITERATIONS, mosquittoHash } from "./mosquitto-files.js";

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;
export const ADMIN_USERNAME = "admin";
/** File name of the user store inside the data directory (the manager and the broker-only process share it). */
export const USERS_FILE = "users.json";

const userRecordSchema = z.object({
  username: nameSchema,
  role: roleSchema,
  hash: z.string().startsWith("scrypt$"),
  /** The same password as mosquitto's password file wants it (mosquitto-files.ts); set whenever the password is known. */
  mosquittoHash: z.string().startsWith("$7$").optional(),
  createdAt: z.number().int().nonnegative(),
});
type UserRecord = z.infer<typeof userRecordSchema>;
const fileSchema = z.object({ v: z.literal(1), users: z.array(userRecordSchema) });

export interface UserInfo {
  username: string;
  role: Role;
  createdAt: number;
}

export interface UserStore {
  load(): Promise<void>;
  /** scrypt, constant-time compare; null for an unknown user or a wrong password. */
  verify(username: string, password: string): Promise<Role | null>;
  /** Whether the name belongs to a user (the broker then never treats it as a board or the manager). */
  has(username: string): boolean;
  list(): UserInfo[];
  /** A user's role and stored password hash (signed request tokens are bound to it); null for an unknown user. */
  credentials(username: string): { role: Role; hash: string } | null;
  /** Users with the mosquitto hash of their password; null for one whose password was not seen since it was stored. */
  mosquittoEntries(): { username: string; role: Role; hash: string | null }[];
  /** Creates or updates; a new user needs a password; an existing one keeps its password when none is given. */
  upsert(username: string, role: Role, password?: string): Promise<void>;
  remove(username: string): Promise<boolean>;
  /** The store as its file holds it: what the manager shares with the broker replicas (user-sync.ts). */
  snapshot(): string;
  /**
   * Takes a snapshot from the manager in place of the store (written to this store's file too);
   * returns the users whose logins it ends: removed, or with another password or role.
   */
  replaceAll(snapshot: string): Promise<string[]>;
  /**
   * Called after every change of the users: its own edits, replaceAll and load (the broker's
   * thread ends its cached logins and takes the new names on each); returns the unsubscribe.
   */
  onChange(fn: () => void): () => void;
  /** BBB_ADMIN_PASSWORD wins; else, while no admin exists, creates `admin` with a random password and returns it once. */
  ensureAdmin(envPassword?: string): Promise<{ generatedPassword: string | null }>;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new CodedError(
      BrokerErrorCodes.INVALID_PASSWORD,
      `password must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`,
    );
  }
}

/** Users of the dashboard, the command socket and the REST API: one JSON file, mode 0600, atomic writes. */
export function createUserStore(deps: { file: string; log: pino.Logger; clock?: () => number }): UserStore {
  const log = deps.log.child({ module: "user-store" });
  const clock = deps.clock ?? Date.now;
  const users = new Map<string, UserRecord>();
  const verified = createVerifiedCache({ now: clock });
  // Writes are serialised so two concurrent edits cannot lose one another.
  let queue: Promise<unknown> = Promise.resolve();

  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  const listeners = new Set<() => void>();
  const snapshot = () => `${JSON.stringify({ v: 1 as const, users: [...users.values()] }, null, 2)}\n`;

  async function write(): Promise<void> {
    await writeFileAtomic(deps.file, snapshot(), 0o600);
  }

  function notify(): void {
    for (const fn of listeners) {
      try {
        fn();
      } catch (err: unknown) {
        log.error({ err }, "user store listener failed");
      }
    }
  }

  async function persist(): Promise<void> {
    // The change is in memory, and verify() answers from it, even when the file was not written:
    // the listeners hear of it either way (a cache of logins elsewhere must not outlive it).
    try {
      await write();
    } finally {
      notify();
    }
  }

  function parseFile(text: string): z.infer<typeof fileSchema> {
    try {
      return fileSchema.parse(JSON.parse(text));
    } catch (e: unknown) {
      throw new CodedError(BrokerErrorCodes.USER_STORE_CORRUPT, `user store is unreadable: ${(e as Error).message}`);
    }
  }

  function admins(): number {
    let n = 0;
    for (const u of users.values()) if (u.role === "admin") n++;
    return n;
  }

  async function upsertLocked(username: string, role: Role, password?: string): Promise<void> {
    if (!nameSchema.safeParse(username).success) {
      throw new CodedError(BrokerErrorCodes.INVALID_USERNAME, "username: 1-64 of A-Z a-z 0-9 _ . - starting with a letter or digit");
    }
    if (username === MANAGER_USERNAME) {
      throw new CodedError(BrokerErrorCodes.RESERVED_USERNAME, `username ${MANAGER_USERNAME} is reserved`);
    }
    const old = users.get(username);
    if (password !== undefined) checkPassword(password);
    else if (!old) throw new CodedError(BrokerErrorCodes.PASSWORD_REQUIRED, "a new user needs a password");
    if (old?.role === "admin" && role !== "admin" && admins() === 1) {
      throw new CodedError(BrokerErrorCodes.LAST_ADMIN, "cannot demote the last admin");
    }
    const hash = password !== undefined ? await hashPassword(password) : (old as UserRecord).hash;
    const mqHash = password !== undefined ? await mosquittoHash(password, MOSQUITTO_USER_ITERATIONS) : old?.mosquittoHash;
    users.set(username, { username, role, hash, ...(mqHash ? { mosquittoHash: mqHash } : {}), createdAt: old?.createdAt ?? clock() });
    await persist();
    log.info({ username, role, passwordChanged: password !== undefined }, old ? "user updated" : "user created");
  }

  async function addMosquittoHash(username: string, password: string, hash: string): Promise<void> {
    const u = users.get(username);
    // Changed meanwhile (another password): the new one brought its own.
    if (!u || u.hash !== hash || u.mosquittoHash) return;
    users.set(username, { ...u, mosquittoHash: await mosquittoHash(password, MOSQUITTO_USER_ITERATIONS) });
    await persist();
  }

  return {
    async load() {
      let text: string;
      try {
        text = await readFile(deps.file, "utf8");
      } catch (e: unknown) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") {
          users.clear();
          notify();
          return;
        }
        throw e;
      }
      let parsed: z.infer<typeof fileSchema>;
      try {
        parsed = parseFile(text);
      } catch (e: unknown) {
        // Never start with an empty store over a damaged file: that would silently drop every user.
        throw new CodedError(BrokerErrorCodes.USER_STORE_CORRUPT, `${deps.file}: ${(e as Error).message}`);
      }
      users.clear();
      for (const u of parsed.users) {
        // A hand-edited entry must not shadow the manager's login.
        if (u.username === MANAGER_USERNAME) log.warn({ username: u.username }, "reserved user name in the user store ignored");
        else users.set(u.username, u);
      }
      notify();
      log.debug({ users: users.size }, "user store loaded");
    },

    async verify(username, password) {
      const u = users.get(username);
      if (!u) {
        await verifyPassword(password, await dummyHash());
        return null;
      }
      if (password.length > MAX_PASSWORD_LENGTH) return null;
      if (verified.hit(username, password, u.hash)) return u.role;
      if (!(await verifyPassword(password, u.hash))) return null;
      verified.remember(username, password, u.hash, true);
      // A user stored before mosquitto hashes were kept gets one at its next login.
      if (!u.mosquittoHash) void serial(() => addMosquittoHash(username, password, u.hash)).catch((err: unknown) => log.error({ err, username }, "storing the mosquitto hash failed"));
      return u.role;
    },

    has: (username) => users.has(username),

    list: () => [...users.values()].map(({ username, role, createdAt }) => ({ username, role, createdAt })),

    snapshot,

    replaceAll: (text) =>
      serial(async () => {
        // A damaged snapshot changes nothing (the error says why).
        const next = new Map(parseFile(text).users.filter((u) => u.username !== MANAGER_USERNAME).map((u) => [u.username, u]));
        const ended = [...users.values()]
          .filter((u) => {
            const n = next.get(u.username);
            return !n || n.hash !== u.hash || n.role !== u.role;
          })
          .map((u) => u.username);
        users.clear();
        for (const [name, u] of next) users.set(name, u);
        await persist();
        log.info({ users: users.size, ended }, "user store replaced by the manager's");
        return ended;
      }),

    onChange(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    credentials(username) {
      const u = users.get(username);
      return u ? { role: u.role, hash: u.hash } : null;
    },

    mosquittoEntries: () => [...users.values()].map((u) => ({ username: u.username, role: u.role, hash: u.mosquittoHash ?? null })),

    upsert: (username, role, password) => serial(() => upsertLocked(username, role, password)),

    remove: (username) =>
      serial(async () => {
        const u = users.get(username);
        if (!u) return false;
        if (u.role === "admin" && admins() === 1) throw new CodedError(BrokerErrorCodes.LAST_ADMIN, "cannot remove the last admin");
        users.delete(username);
        await persist();
        log.info({ username }, "user removed");
        return true;
      }),

    ensureAdmin: (envPassword) =>
      serial(async () => {
        if (envPassword !== undefined && envPassword !== "") {
          const cur = users.get(ADMIN_USERNAME);
          // Rewrite only when something changes, so every start does not re-hash and rewrite the file.
          if (!cur || cur.role !== "admin" || !cur.mosquittoHash || !(await verifyPassword(envPassword, cur.hash))) {
            await upsertLocked(ADMIN_USERNAME, "admin", envPassword);
          }
          return { generatedPassword: null };
        }
        if (admins() > 0) return { generatedPassword: null };
        const generated = randomBytes(18).toString("base64url");
        await upsertLocked(ADMIN_USERNAME, "admin", generated);
        return { generatedPassword: generated };
      }),
  };
}
