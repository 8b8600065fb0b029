import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRootedFs } from "./rooted-fs.js";

describe("rooted fs exists", () => {
  let root = "";
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("tells a present file from a missing one, a path through a file and a relative path", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-rooted-fs-"));
    await mkdir(join(root, "run/systemd/timesync"), { recursive: true });
    await writeFile(join(root, "run/systemd/timesync/synchronized"), "");
    const fs = createRootedFs(root);
    expect(await fs.exists("/run/systemd/timesync/synchronized")).toBe(true);
    expect(await fs.exists("/run/systemd/timesync")).toBe(true);
    expect(await fs.exists("/run/systemd/timesync/missing")).toBe(false);
    expect(await fs.exists("/no/such/folder")).toBe(false);
    expect(await fs.exists("/run/systemd/timesync/synchronized/below")).toBe(false);
    expect(await fs.exists("relative/path")).toBe(false);
  });
});
