import { accessSync, constants, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildBundle, runBundle } from "./bundle-harness.js";

// The bundle on the boards' architecture (docs/deployment.md §"On a board"): Debian 12's armhf nodejs
// (18.20.4) under qemu-arm-static with QEMU_CPU=cortex-a8, made by ../shared/tools/armhf-node.sh
// (`make armhf-test` in agent/ builds it, ~130 MB, and runs this test). Runs when ARMHF_NODE
// names the wrapper or a build is cached in $TMPDIR/armhf-node; otherwise SKIPPED with the
// reason, never passed. It proves the bundle runs on armv7 + Node 18, not how a board behaves
// (system calls go to this machine's kernel).
function findArmhfNode(): { path: string; reason: string } {
  const candidates = [process.env.ARMHF_NODE, join(process.env.TMPDIR ?? tmpdir(), "armhf-node", "bin", "node-armhf")];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return { path: c, reason: "" };
    } catch {
      if (c === process.env.ARMHF_NODE) return { path: "", reason: `(ARMHF_NODE=${c} is not executable)` };
    }
  }
  return { path: "", reason: "(no armhf node: set ARMHF_NODE or run `make armhf-test` in agent/)" };
}
const armhf = findArmhfNode();
let dir = "";
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(armhf.path === "")(`bundle under armhf Node 18 (qemu-arm, cortex-a8) ${armhf.reason}`, () => {
  it("runs as arm, logs in, heartbeats, and exits 0 on SIGTERM leaving offline", { timeout: 240_000 }, async () => {
    const built = buildBundle();
    dir = built.dir;
    const run = await runBundle(built.file, [armhf.path], { beats: 5, timeoutMs: 180_000 });
    console.log(
      `armhf bundle run: arch ${run.arch}, first heartbeat after ${run.firstHeartbeatMs} ms, ` +
        `RSS (qemu + node) ${run.rssKb} kB, ${run.cpuTicks} CPU ticks over ${run.windowMs} ms`,
    );
    expect(run.arch).toBe("arm");
    expect(run.credentialsSeen?.username).toBe(run.credentialsSeen?.clientId);
    expect(run.heartbeats).toBeGreaterThanOrEqual(5);
    expect(run.exitCode).toBe(0);
    expect(run.offlineSession).toBe(run.session);
    expect(run.errorLogs).toEqual([]);
  });
});
