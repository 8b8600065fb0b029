import { rmSync, statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle, runBundle, type BundleRun } from "./bundle-harness.js";

// The bundle is built and smoke-run (docs/deployment.md §"On a board"): one CommonJS file copied alone into an
// empty folder starts, logs in with its token, heartbeats, and on SIGTERM leaves a retained
// `offline` and exits 0.
let built: ReturnType<typeof buildBundle>;
let run: BundleRun;

beforeAll(async () => {
  built = buildBundle();
  run = await runBundle(built.file, [process.execPath], { beats: 8, timeoutMs: 45_000 });
  console.log(
    `bundle smoke (node ${process.version}, ${run.arch}): ${built.stdout.trim()}; first heartbeat after ` +
      `${run.firstHeartbeatMs} ms, RSS ${run.rssKb} kB, ${run.cpuTicks} CPU ticks over ${run.windowMs} ms`,
  );
}, 90_000);
afterAll(() => {
  if (built) rmSync(built.dir, { recursive: true, force: true });
});

describe("bundled agent (dist-bundle/bbb-agent.cjs)", () => {
  it("is one CommonJS file with a source map, and the script prints its size", () => {
    expect(built.stdout).toMatch(/bbb-agent\.cjs: [\d.]+ KiB \([\d.]+ KiB gzipped\)/);
    expect(statSync(`${built.file}.map`).size).toBeGreaterThan(0);
  });

  it("logs in as its board id with its token and heartbeats with increasing seq", () => {
    expect(run.credentialsSeen?.username).toBe(run.credentialsSeen?.clientId);
    expect(run.credentialsSeen?.password).toBe("bundle-test-token-0123456789");
    expect(run.heartbeats).toBeGreaterThanOrEqual(8);
    for (let i = 1; i < run.seqs.length; i++) expect(run.seqs[i]).toBeGreaterThan(run.seqs[i - 1]!);
  });

  it("on SIGTERM leaves a retained offline of its session and exits 0, with no error logs", () => {
    expect(run.exitCode).toBe(0);
    expect(run.offlineSession).toBe(run.session);
    expect(run.errorLogs).toEqual([]);
  });
});
