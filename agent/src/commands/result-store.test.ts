import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Result } from "@bbb/shared";
import { createStateFiles } from "../state/state-files.js";
import { createResultStore } from "./result-store.js";

const res = (id: string, action: string, status: Result["status"]): Result => ({ v: 1, id, action, status, ts: 1 });

describe("result store", () => {
  let dir: string;
  afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

  it("persists results so a restarted agent still knows the ids; open ones are closed", async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), "bbb-rs-"));
    const a = createResultStore({ files: createStateFiles(dir) });
    await a.record(res("done", "ping", "succeeded"));
    await a.record(res("boot", "reboot", "accepted"));
    await a.record(res("ip", "set-ip", "accepted"));
    await a.record(res("ip", "set-ip", "running"));
    await a.flush();
    const b = createResultStore({ files: createStateFiles(dir) });
    const closed = await b.load(99);
    expect(b.get("done")?.status).toBe("succeeded");
    expect(closed.map((r) => [r.id, r.status, r.error?.code])).toEqual([
      ["boot", "succeeded", undefined],
      ["ip", "failed", "AGENT_E_INTERRUPTED"],
    ]);
  });

  it("is bounded: the oldest ids go first", async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), "bbb-rs-"));
    const s = createResultStore({ files: createStateFiles(dir), max: 3 });
    for (const id of ["a", "b", "c", "d"]) await s.record(res(id, "ping", "succeeded"));
    expect(["a", "b", "c", "d"].map((id) => s.has(id))).toEqual([false, true, true, true]);
  });
});
