import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BrokerErrorCodes } from "./errors.js";
import { createUserStore } from "./user-store.js";

const log = pino({ level: "silent" });
let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-users-"));
  file = join(dir, "users.json");
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe("user store", () => {
  it("stores scrypt hashes in a 0600 file and verifies passwords", async () => {
    const store = createUserStore({ file, log, clock: () => 1234 });
    await store.load();
    await store.upsert("vera", "viewer", "correct horse");
    expect(await store.verify("vera", "correct horse")).toBe("viewer");
    expect(await store.verify("vera", "wrong horse")).toBeNull();
    expect(await store.verify("nobody", "correct horse")).toBeNull();
    expect(store.list()).toEqual([{ username: "vera", role: "viewer", createdAt: 1234 }]);
    const text = await readFile(file, "utf8");
    expect(text).toContain("scrypt$");
    expect(text).not.toContain("correct horse");
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const again = createUserStore({ file, log });
    await again.load();
    expect(await again.verify("vera", "correct horse")).toBe("viewer");
  });

  it("changes a role without a password, keeps the password, and validates input", async () => {
    const store = createUserStore({ file, log });
    await store.load();
    await store.upsert("otto", "viewer", "password-1");
    await store.upsert("otto", "operator");
    expect(await store.verify("otto", "password-1")).toBe("operator");
    await expect(store.upsert("bad name", "viewer", "password-1")).rejects.toMatchObject({ code: BrokerErrorCodes.INVALID_USERNAME });
    await expect(store.upsert("manager", "admin", "password-1")).rejects.toMatchObject({ code: BrokerErrorCodes.RESERVED_USERNAME });
    await expect(store.upsert("eve", "viewer", "short")).rejects.toMatchObject({ code: BrokerErrorCodes.INVALID_PASSWORD });
    await expect(store.upsert("eve", "viewer")).rejects.toMatchObject({ code: BrokerErrorCodes.PASSWORD_REQUIRED });
    expect(await store.remove("otto")).toBe(true);
    expect(await store.remove("otto")).toBe(false);
  });

  it("creates admin once with a generated password unless BBB_ADMIN_PASSWORD is set", async () => {
    const store = createUserStore({ file, log });
    await store.load();
    const first = await store.ensureAdmin();
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await store.verify("admin", first.generatedPassword ?? "")).toBe("admin");
    expect(await store.ensureAdmin()).toEqual({ generatedPassword: null });
    expect(await store.ensureAdmin("from-the-environment")).toEqual({ generatedPassword: null });
    expect(await store.verify("admin", "from-the-environment")).toBe("admin");
    await expect(store.remove("admin")).rejects.toMatchObject({ code: BrokerErrorCodes.LAST_ADMIN });
    await expect(store.upsert("admin", "viewer")).rejects.toMatchObject({ code: BrokerErrorCodes.LAST_ADMIN });
  });

  it("refuses to start over a damaged file instead of dropping every user", async () => {
    await writeFile(file, "{ not json");
    await expect(createUserStore({ file, log }).load()).rejects.toMatchObject({ code: BrokerErrorCodes.USER_STORE_CORRUPT });
  });

  it("serialises concurrent writes", async () => {
    const store = createUserStore({ file, log });
    await store.load();
    await Promise.all(["u1", "u2", "u3", "u4"].map((u) => store.upsert(u, "viewer", "password-1")));
    const again = createUserStore({ file, log });
    await again.load();
    expect(again.list().map((u) => u.username).sort()).toEqual(["u1", "u2", "u3", "u4"]);
  });

  it("tells its listeners of every change of its users: edits, replaceAll and load", async () => {
    const store = createUserStore({ file, log });
    await store.load();
    let changes = 0;
    store.onChange(() => changes++);
    await store.upsert("vera", "viewer", "password-1");
    expect(changes).toBe(1);
    const manager = createUserStore({ file: join(dir, "manager.json"), log });
    await manager.load();
    await manager.upsert("otto", "operator", "password-2");
    await store.replaceAll(manager.snapshot());
    expect(changes).toBe(2);
    // A damaged snapshot changes nothing, and says nothing.
    await expect(store.replaceAll("{ not json")).rejects.toThrow();
    expect(changes).toBe(2);
    await store.load();
    expect(changes).toBe(3);
    // An edit whose file could not be written is in memory all the same (verify answers from it).
    await rm(file);
    await mkdir(file);
    await writeFile(join(file, "in-the-way"), "");
    await expect(store.upsert("otto", "operator", "password-3")).rejects.toThrow();
    expect(await store.verify("otto", "password-3")).toBe("operator");
    expect(changes).toBe(4);
  });
});
