import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FileChanges } from "../system/file-changes.js";
import { createFileHashWatcher } from "./sync-state.js";

/** Change detection the test drives by hand. */
function handChanges() {
  const h = { dirty: true };
  const changes: FileChanges = {
    changed: () => {
      const was = h.dirty;
      h.dirty = false;
      return was;
    },
    watching: () => true,
    close: () => undefined,
  };
  return { h, changes };
}

describe("createFileHashWatcher (the installed rc.local's hash)", () => {
  let dir = "";
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("answers null for a missing file, without throwing, and the hash once it exists", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-rc-hash-"));
    const rcLocal = join(dir, "etc/rc.local");
    const hash = createFileHashWatcher(rcLocal);
    expect(() => hash()).not.toThrow();
    expect(hash()).toBeNull();
    // A missing folder on the way is no file either.
    expect(createFileHashWatcher(join(dir, "nope/rc.local"))()).toBeNull();
    await mkdir(join(dir, "etc"));
    await writeFile(rcLocal, "#!/bin/sh\necho\n");
    expect(hash()).toBe(createHash("sha256").update("#!/bin/sh\necho\n").digest("hex"));
    await rm(rcLocal);
    expect(hash()).toBeNull();
  });

  it("does not look at the file while its watch says unchanged, unless asked fresh", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-rc-hash-"));
    const rcLocal = join(dir, "rc.local");
    const { h, changes } = handChanges();
    const hash = createFileHashWatcher(rcLocal, changes);
    expect(hash()).toBeNull();
    await writeFile(rcLocal, "#!/bin/sh\n");
    // Not told yet: the last answer stands (no stat).
    expect(hash()).toBeNull();
    const fresh = hash(true);
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(rcLocal, "#!/bin/sh\nexit 0\n");
    expect(hash()).toBe(fresh);
    h.dirty = true;
    const next = hash();
    expect(next).toMatch(/^[0-9a-f]{64}$/);
    expect(next).not.toBe(fresh);
  });
});
