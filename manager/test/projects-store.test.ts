import { execFileSync } from "node:child_process";
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { typeSchema, type BoardType } from "@bbb/shared";
import {
  createProjectStore,
  createProjectMethods,
  MANIFEST_FILE,
  manifestSchema,
  type ProjectStore,
} from "../src/projects/index.js";

const log = pino({ level: "silent" });
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.org", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();

let dir: string;
let store: ProjectStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "projects-"));
  store = createProjectStore({ dataDir: join(dir, "data"), log, projectRoots: [dir] });
});
afterEach(async () => {
  await store.stop();
  await rm(dir, { recursive: true, force: true });
});

const localType = (path: string, extra: Partial<BoardType> = {}) =>
  typeSchema.parse({
    name: "mbtemp",
    source: { kind: "local", path },
    rcLocalPath: "boot/rc.local",
    overlay: "BB-MBTEMP",
    ...extra,
  });

describe("project store, local folder", () => {
  it("copies the folder with modes, writes a sorted manifest and swaps the live tree on change", async () => {
    const src = join(dir, "src");
    await mkdir(join(src, "boot"), { recursive: true });
    await mkdir(join(src, "empty"));
    await writeFile(join(src, "boot/rc.local"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    await writeFile(join(src, "b.txt"), "bee");
    await writeFile(join(src, "a.txt"), "ay");
    await symlink("a.txt", join(src, "link-in"));
    await symlink("/etc/passwd", join(src, "link-abs"));
    await symlink("../../outside", join(src, "boot/link-out"));
    const revisions: string[] = [];
    store.onRevision((_t, info) => revisions.push(info.revision ?? ""));

    const info = await store.refresh(localType(src));
    expect(info.files).toBe(3);
    expect(info.revision).toMatch(/^[0-9a-f]{64}$/);
    expect(info.skipped.length).toBe(2);
    const live = join(store.projectsDir, "mbtemp");
    expect((await lstat(live)).isSymbolicLink()).toBe(true);
    expect((await stat(join(live, "boot/rc.local"))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(live, "link-in"))).toBe("a.txt");
    await expect(lstat(join(live, "link-abs"))).rejects.toThrow();
    await expect(lstat(join(live, "boot/link-out"))).rejects.toThrow();

    const m = manifestSchema.parse(JSON.parse(await readFile(join(live, MANIFEST_FILE), "utf8")));
    expect(m.files.map((f) => f.path)).toEqual(["a.txt", "b.txt", "boot/rc.local"]);
    expect(m.dirs.map((d) => d.path)).toEqual(["boot", "empty"]);
    expect(m.rcLocalHash).toBe(m.files[2]?.sha256);
    expect(m.overlay).toBe("BB-MBTEMP");
    expect(store.manifest("mbtemp")).toEqual(m);

    // Unchanged folder: same revision, no event, same tree.
    const target = await readlink(live);
    expect((await store.refresh(localType(src))).revision).toBe(info.revision);
    expect(await readlink(live)).toBe(target);
    expect(revisions).toHaveLength(1);

    await writeFile(join(src, "b.txt"), "bee 2");
    await chmod(join(src, "a.txt"), 0o600);
    const info2 = await store.refresh(localType(src));
    expect(info2.revision).not.toBe(info.revision);
    expect(revisions).toEqual([info.revision, info2.revision]);
    expect(await readFile(join(live, "b.txt"), "utf8")).toBe("bee 2");
    expect((await stat(join(live, "a.txt"))).mode & 0o777).toBe(0o600);

    // A restarted store answers from the tree on disk.
    const again = createProjectStore({ dataDir: join(dir, "data"), log, projectRoots: [dir] });
    expect(again.info("mbtemp")?.revision).toBe(info2.revision);
    expect(again.manifest("mbtemp")?.files).toHaveLength(3);
  });

  it("keeps the live tree when the source disappears and reports the error", async () => {
    const src = join(dir, "src");
    await mkdir(src);
    await writeFile(join(src, "x"), "x");
    const info = await store.refresh(localType(src));
    await rm(src, { recursive: true });
    await expect(store.refresh(localType(src))).rejects.toMatchObject({ code: "MGR_E_PROJECT_SOURCE_UNREADABLE" });
    expect(store.info("mbtemp")).toMatchObject({
      revision: info.revision,
      error: { code: "MGR_E_PROJECT_SOURCE_UNREADABLE" },
    });
    expect(await readFile(join(store.projectsDir, "mbtemp/x"), "utf8")).toBe("x");
  });

  it("refuses a source that contains the store", async () => {
    await expect(store.refresh(localType(dir))).rejects.toMatchObject({ code: "MGR_E_PROJECT_SOURCE_FORBIDDEN" });
  });

  it("exposes projects.* methods and removes a type's trees", async () => {
    const src = join(dir, "src");
    await mkdir(src);
    await writeFile(join(src, "x"), "x");
    const t = localType(src);
    const methods = new Map(
      createProjectMethods({ store: () => store, listTypes: () => [t], getType: (n) => (n === t.name ? t : null) }).map(
        (m) => [m.name, m],
      ),
    );
    const ctx = { username: "op", role: "operator" as const, via: "internal" as const };
    const refreshed = await methods.get("projects.refresh")!.handler({ type: "mbtemp" }, ctx);
    expect(refreshed).toMatchObject({ type: "mbtemp", files: 1 });
    expect(await methods.get("projects.list")!.handler({}, ctx)).toMatchObject({
      projects: [{ type: "mbtemp", files: 1 }],
    });
    expect(await methods.get("projects.manifest")!.handler({ type: "mbtemp" }, ctx)).toMatchObject({
      files: [{ path: "x" }],
    });
    await expect(
      Promise.resolve(methods.get("projects.manifest")!.handler({ type: "nope" }, ctx)),
    ).rejects.toMatchObject({
      code: "MGR_E_NOT_FOUND",
      message: expect.stringMatching(/unknown type/),
    });
    await store.remove("mbtemp");
    expect(store.info("mbtemp")).toBeNull();
    await expect(lstat(join(store.projectsDir, "mbtemp"))).rejects.toThrow();
  });
});

describe("project store, git source", () => {
  it("checks out the ref of a bare repository; a new commit changes the revision", async () => {
    const bare = join(dir, "origin.git");
    const work = join(dir, "work");
    git(dir, "init", "--quiet", "--bare", "--initial-branch=main", bare);
    git(dir, "clone", "--quiet", bare, work);
    await mkdir(join(work, "boot"));
    await writeFile(join(work, "boot/rc.local"), "#!/bin/sh\n", { mode: 0o755 });
    await writeFile(join(work, "ioc.cmd"), "dbLoadRecords\n");
    git(work, "add", "-A");
    git(work, "commit", "--quiet", "-m", "first");
    git(work, "push", "--quiet", "origin", "HEAD:main");
    const first = git(work, "rev-parse", "HEAD");

    const type = typeSchema.parse({
      name: "spixconv",
      source: { kind: "git", url: bare, ref: "main" },
      rcLocalPath: "boot/rc.local",
    });
    const seen: string[] = [];
    store.onRevision((name, info) => seen.push(`${name}@${info.revision}`));
    const info = await store.refresh(type);
    expect(info).toMatchObject({ source: "git", revision: first, files: 2 });
    expect(info.rcLocalHash).toMatch(/^[0-9a-f]{64}$/);
    const live = join(store.projectsDir, "spixconv");
    expect(await readFile(join(live, "ioc.cmd"), "utf8")).toBe("dbLoadRecords\n");
    await expect(lstat(join(live, ".git"))).rejects.toThrow();

    await writeFile(join(work, "ioc.cmd"), "dbLoadRecords v2\n");
    git(work, "commit", "--quiet", "-am", "second");
    git(work, "push", "--quiet", "origin", "HEAD:main");
    const second = git(work, "rev-parse", "HEAD");
    const info2 = await store.refresh(type);
    expect(info2.revision).toBe(second);
    expect(await readFile(join(live, "ioc.cmd"), "utf8")).toBe("dbLoadRecords v2\n");
    expect(seen).toEqual([`spixconv@${first}`, `spixconv@${second}`]);

    // A ref that does not exist fails and leaves the live tree alone.
    const bad = typeSchema.parse({ ...type, source: { kind: "git", url: bare, ref: "no-such-branch" } });
    await expect(store.refresh(bad)).rejects.toMatchObject({ code: "MGR_E_PROJECT_GIT_FAILED" });
    expect(store.info("spixconv")?.revision).toBe(second);
    expect(await readFile(join(live, "ioc.cmd"), "utf8")).toBe("dbLoadRecords v2\n");
  });

  it("refreshes on the timer", async () => {
    const src = join(dir, "src");
    await mkdir(src);
    await writeFile(join(src, "x"), "1");
    const t = localType(src);
    const got = new Promise<string>((resolve) => store.onRevision((name) => resolve(name)));
    store.start({ types: () => [t], intervalMs: 60_000 });
    expect(await got).toBe("mbtemp");
  });
});
