import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createRootedFs } from "../system/rooted-fs.js";
import type { Runner } from "../system/runner.js";
import { parseChronyTracking, parseNtpqVars, readTimeSync } from "./time-sync.js";

const CHRONY_OK =
  "C0A80001,192.168.0.1,3,1733460000.123,-0.000812345,0.000001,0.0002,-12.3,0.01,0.02,0.001,0.002,64.5,Normal\n";
const CHRONY_NOSYNC = "00000000,,0,0.000,0.000000000,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,Not synchronised\n";

describe("time sync parsers", () => {
  it("reads chrony's tracking CSV", () => {
    expect(parseChronyTracking(CHRONY_OK)).toEqual({ timeSync: "synced", clockOffsetMs: -1 });
    expect(parseChronyTracking(CHRONY_NOSYNC)?.timeSync).toBe("unsynced");
    expect(parseChronyTracking("garbage")).toBeNull();
  });
  it("reads ntpq's leap and offset", () => {
    expect(parseNtpqVars("leap=00, offset=-12.345\n")).toEqual({ timeSync: "synced", clockOffsetMs: -12 });
    expect(parseNtpqVars("leap=11, offset=0.000\n")?.timeSync).toBe("unsynced");
    expect(parseNtpqVars("No association ID's returned")).toBeNull();
  });
});

describe("readTimeSync on a fake root", () => {
  let root = "";
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });
  const recorder = (answers: Record<string, { exitCode: number; stdout: string }>) => {
    const calls: string[][] = [];
    const run: Runner = (file, args) => {
      calls.push([file, ...args]);
      const a = answers[file] ?? { exitCode: 127, stdout: "" };
      return Promise.resolve({ ...a, stderr: "" });
    };
    return { run, calls };
  };

  it("takes timesyncd's flag file without running anything", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-timesync-"));
    await mkdir(join(root, "run/systemd/timesync"), { recursive: true });
    await writeFile(join(root, "run/systemd/timesync/synchronized"), "");
    const r = recorder({});
    expect(await readTimeSync(createRootedFs(root), r.run)).toEqual({ timeSync: "synced" });
    expect(r.calls).toEqual([]);
  });

  it("asks chrony, ntpd and timedatectl in turn; none answering is unknown", async () => {
    root = await mkdtemp(join(tmpdir(), "bbb-timesync-"));
    const fs = createRootedFs(root);
    const none = recorder({});
    expect(await readTimeSync(fs, none.run)).toEqual({ timeSync: "unknown" });
    expect(none.calls.map((c) => c[0])).toEqual(["chronyc", "ntpq", "timedatectl"]);
    const chrony = recorder({ chronyc: { exitCode: 0, stdout: CHRONY_NOSYNC } });
    expect((await readTimeSync(fs, chrony.run)).timeSync).toBe("unsynced");
    const tdc = recorder({ timedatectl: { exitCode: 0, stdout: "no\n" } });
    expect(await readTimeSync(fs, tdc.run)).toEqual({ timeSync: "unsynced" });
    expect(tdc.calls.at(-1)).toEqual(["timedatectl", "show", "-p", "NTPSynchronized", "--value"]);
  });
});
