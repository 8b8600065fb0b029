import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle, runBundle } from "./bundle-harness.js";

// TLS by configuration (docs/deployment.md §"TLS"): certificates made by openssl at test time with
// scripts/make-certs.sh; the bundled agent given `mqtts://` and `caFile` verifies the server,
// and refuses a server whose certificate another CA signed (no heartbeat, no crash).
const repo = resolve(import.meta.dirname, "..", "..");
const noOpenssl = spawnSync("openssl", ["version"]).status === 0 ? "" : "(openssl not installed)";
let work = "";
let bundle: ReturnType<typeof buildBundle>;

function makeCerts(dir: string) {
  const r = spawnSync("bash", [join(repo, "scripts", "make-certs.sh"), dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`make-certs.sh: ${r.stderr}`);
  return { key: readFileSync(join(dir, "server.key")), cert: readFileSync(join(dir, "server.crt")), ca: join(dir, "ca.crt") };
}

beforeAll(() => {
  if (noOpenssl !== "") return;
  work = mkdtempSync(join(tmpdir(), "bbb-bundle-tls-"));
  bundle = buildBundle();
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (bundle) rmSync(bundle.dir, { recursive: true, force: true });
});

describe.skipIf(noOpenssl !== "")(`bundled agent over MQTTS ${noOpenssl}`, () => {
  it("connects to a server whose certificate its caFile's CA signed, heartbeats and stops cleanly", async () => {
    const c = makeCerts(join(work, "good"));
    const run = await runBundle(bundle.file, [process.execPath], {
      beats: 3,
      timeoutMs: 45_000,
      tls: { key: c.key, cert: c.cert, caFile: c.ca, host: "127.0.0.1" },
    });
    expect(run.heartbeats).toBeGreaterThanOrEqual(3);
    expect(run.exitCode).toBe(0);
    expect(run.offlineSession).toBe(run.session);
  }, 90_000);

  it("refuses a server certificate from another CA: no heartbeat, keeps running, exits 0 on SIGTERM", async () => {
    const server = makeCerts(join(work, "server-ca"));
    const other = makeCerts(join(work, "other-ca"));
    const run = await runBundle(bundle.file, [process.execPath], {
      beats: 0,
      timeoutMs: 3000,
      tls: { key: server.key, cert: server.cert, caFile: other.ca, host: "127.0.0.1" },
    });
    expect(run.heartbeats).toBe(0);
    expect(run.credentialsSeen).toBeNull();
    expect(run.exitCode).toBe(0);
  }, 90_000);
});
