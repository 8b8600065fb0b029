import { pbkdf2Sync } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createUserStore } from "./user-store.js";

const log = pino({ level: "silent" });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-users-share-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

/** Whether a `$7$` hash is mosquitto's PBKDF2-SHA512 of `password`. */
function mosquittoChecks(hash: string | null, password: string): boolean {
  const [, , it, salt, key] = (hash ?? "").split("$");
  return pbkdf2Sync(password, Buffer.from(salt ?? "", "base64"), Number(it), 64, "sha512").toString("base64") === key;
}

describe("user store: mosquitto hashes and sharing with broker replicas", () => {
  it("keeps a mosquitto hash of every password it is given, and of older users at their next login", async () => {
    const file = join(dir, "users.json");
    const store = createUserStore({ file, log });
    await store.load();
    await store.upsert("vera", "viewer", "vera-password");
    expect(mosquittoChecks(store.mosquittoEntries()[0]?.hash ?? null, "vera-password")).toBe(true);
    // A store written before these hashes were kept.
    const old = JSON.parse(await readFile(file, "utf8")) as { users: Record<string, unknown>[] };
    for (const u of old.users) delete u.mosquittoHash;
    await writeFile(file, JSON.stringify(old));
    const reloaded = createUserStore({ file, log });
    await reloaded.load();
    expect(reloaded.mosquittoEntries()).toEqual([{ username: "vera", role: "viewer", hash: null }]);
    expect(await reloaded.verify("vera", "vera-password")).toBe("viewer");
    // Stored in the background after the login's answer (bounded wait: 10 s on a loaded machine).
    for (let i = 0; i < 500 && reloaded.mosquittoEntries()[0]?.hash === null; i++) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 500 && !(await readFile(file, "utf8")).includes("$7$"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(mosquittoChecks(reloaded.mosquittoEntries()[0]?.hash ?? null, "vera-password")).toBe(true);
    expect(await readFile(file, "utf8")).toContain("$7$");
  });

  it("a replica takes the manager's snapshot and names the logins it ends", async () => {
    const manager = createUserStore({ file: join(dir, "manager.json"), log });
    const replica = createUserStore({ file: join(dir, "replica.json"), log });
    await manager.load();
    await replica.load();
    let changes = 0;
    manager.onChange(() => changes++);
    await manager.upsert("vera", "viewer", "vera-password");
    await manager.upsert("otto", "operator", "otto-password");
    await manager.upsert("ada", "admin", "ada-password");
    expect(changes).toBe(3);
    expect(await replica.replaceAll(manager.snapshot())).toEqual([]);
    expect(await replica.verify("otto", "otto-password")).toBe("operator");
    await manager.upsert("vera", "operator");
    await manager.upsert("ada", "admin", "ada-new-password");
    await manager.remove("otto");
    expect((await replica.replaceAll(manager.snapshot())).sort()).toEqual(["ada", "otto", "vera"]);
    expect(await replica.verify("otto", "otto-password")).toBeNull();
    expect(await replica.verify("ada", "ada-new-password")).toBe("admin");
    expect(await replica.verify("vera", "vera-password")).toBe("operator");
    // Kept on the replica's disk for a start without Redis; a damaged snapshot changes nothing.
    const again = createUserStore({ file: join(dir, "replica.json"), log });
    await again.load();
    expect(again.list().map((u) => u.username).sort()).toEqual(["ada", "vera"]);
    await expect(replica.replaceAll("{not json")).rejects.toThrow(/unreadable/);
    expect(await replica.verify("vera", "vera-password")).toBe("operator");
  });
});
