import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { typeSchema, type BoardType } from "@bbb/shared";
import { createProjectSync } from "../src/sync/index.js";
// The manager's project store and SFTP server are this test's peer; the agent package itself
// never depends on the manager (the dependency runs the other way), so they are loaded from source.
import { createProjectStore, type ProjectStore } from "../../manager/src/projects/index.js";
import { createSftpServer, type SftpServer } from "../../manager/src/sftp/index.js";

const log = pino({ level: "silent" });
const FLEET_SECRET = "test-fleet-secret";
const BOARD = "a0f6fd8b1c22";
const token = (id: string) => createHmac("sha256", FLEET_SECRET).update(id).digest("hex");
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let dir: string;
let src: string;
let root: string;
let store: ProjectStore;
let server: SftpServer;
let port: number;
let type: BoardType;

const RC_V1 = "#!/bin/sh -e\n# started at boot\n/opt/bbb-project/bin/start.sh &\nexit 0\n";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sync-sftp-"));
  src = join(dir, "src");
  root = join(dir, "board");
  // 2,000 files, 50 MB, in 20 folders.
  const sizes = Array.from({ length: 1999 }, (_, i) => 5_000 + ((i * 7919) % 40_000));
  const scale = (50 * 1024 * 1024 - RC_V1.length) / sizes.reduce((a, b) => a + b, 0);
  for (let d = 0; d < 20; d++) await mkdir(join(src, `d${d}`), { recursive: true });
  await mkdir(join(src, "boot"));
  await writeFile(join(src, "boot/rc.local"), RC_V1, { mode: 0o755 });
  await Promise.all(
    sizes.map((s, i) => writeFile(join(src, `d${i % 20}/f${i}.bin`), randomBytes(Math.floor(s * scale)))),
  );
  await mkdir(join(root, "etc"), { recursive: true });
  await writeFile(join(root, "etc/rc.local"), "#!/bin/sh -e\nexit 0\n", { mode: 0o755 });

  store = createProjectStore({ dataDir: join(dir, "manager"), log, projectRoots: [dir] });
  type = typeSchema.parse({
    name: "mbtemp",
    source: { kind: "local", path: src },
    rcLocalPath: "boot/rc.local",
    overlay: "BB-MBTEMP-00A0",
  });
  await store.refresh(type);
  server = createSftpServer({
    projectsDir: store.projectsDir,
    hostKeyPath: join(dir, "manager/sftp_host_ed25519_key"),
    log,
    authenticate: async (u, p) => (u === BOARD && p === token(BOARD) ? { kind: "agent", boardId: u } : null),
  });
  ({ port } = await server.start({ port: 0, bind: "127.0.0.1" }));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await store?.stop();
  await rm(dir, { recursive: true, force: true });
});

function agentSync(over: { fingerprint?: string; root?: string } = {}) {
  const r = over.root ?? root;
  return createProjectSync({
    rootPrefix: r,
    targetDir: "/opt/bbb-project",
    stateDir: join(r, "var/lib/bbb-agent"),
    sftp: {
      host: "127.0.0.1",
      port,
      username: BOARD,
      password: token(BOARD),
      hostKeyFingerprint: over.fingerprint ?? server.hostKeyFingerprint(),
    },
    type: () => "mbtemp",
    log,
  });
}
const run = (dryRun = false) => {
  const progress: { bytes: number; files: number }[] = [];
  const p = agentSync().sync({ dryRun, signal: AbortSignal.timeout(50_000), onProgress: (x) => progress.push(x) });
  return p.then((out) => ({ out, progress }));
};

/** Path → sha256 and mode of every file under the target, for before/after comparisons. */
async function snapshot(base: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(rel: string) {
    const names = await readdir(join(base, rel)).catch(() => [] as string[]);
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      const st = await stat(join(base, r));
      if (st.isDirectory()) await walk(r);
      else out.set(r, `${sha(await readFile(join(base, r)))} ${st.mode & 0o777} ${st.ino}`);
    }
  }
  await walk("");
  return out;
}

const target = () => join(root, "opt/bbb-project");

describe("agent project sync from the manager's SFTP server", () => {
  it("syncs a 50 MB project of 2,000 files, verifies it and installs rc.local", async () => {
    const { out, progress } = await run();
    const m = store.manifest("mbtemp")!;
    expect(out.revision).toBe(m.revision);
    expect(out.data).toMatchObject({
      filesTransferred: 2000,
      bytesTransferred: m.totalBytes,
      overlay: "BB-MBTEMP-00A0",
      rcLocalInstalled: true,
    });
    expect(m.totalBytes).toBeGreaterThan(49 * 1024 * 1024);
    expect(progress.at(-1)).toEqual({ files: 2000, totalFiles: 2000, bytes: m.totalBytes, totalBytes: m.totalBytes });
    for (const f of m.files) {
      const b = await readFile(join(target(), f.path));
      expect(sha(b)).toBe(f.sha256);
    }
    expect(await readFile(join(root, "etc/rc.local"), "utf8")).toBe(RC_V1);
    expect((await stat(join(root, "etc/rc.local"))).mode & 0o777).toBe(0o755);
    expect(out.rcLocalDiff).toContain("+/opt/bbb-project/bin/start.sh &");
    // A restarted agent still knows what is installed.
    const again = agentSync();
    expect(again.currentRevision()).toBe(m.revision);
    expect(again.rcLocalHash()).toBe(m.rcLocalHash);
  }, 60_000);

  it("transfers only the changed file on the next sync and removes deleted ones", async () => {
    await writeFile(join(src, "d3/f3.bin"), randomBytes(12_345));
    await unlink(join(src, "d4/f4.bin"));
    const info = await store.refresh(type);
    const before = await snapshot(target());
    const { out } = await run();
    expect(out.revision).toBe(info.revision);
    expect(out.changed).toEqual(["d3/f3.bin"]);
    expect(out.removed).toEqual(["d4/f4.bin"]);
    expect(out.data).toMatchObject({ filesTransferred: 1, bytesTransferred: 12_345, rcLocalInstalled: false });
    const after = await snapshot(target());
    expect(after.has("d4/f4.bin")).toBe(false);
    // Unchanged files were hard-linked from the old tree: same inode, same content.
    expect(after.get("d5/f5.bin")).toBe(before.get("d5/f5.bin"));
    expect(after.get("d3/f3.bin")).not.toBe(before.get("d3/f3.bin"));
    // Nothing left to do.
    const { out: idle } = await run();
    expect(idle).toMatchObject({ changed: [], removed: [], data: { filesTransferred: 0, bytesTransferred: 0 } });
  }, 60_000);

  it("a dry run lists the changes and the rc.local diff and touches nothing", async () => {
    await writeFile(join(src, "boot/rc.local"), RC_V1.replace("exit 0", "/opt/bbb-project/bin/bridge.sh &\nexit 0"), {
      mode: 0o755,
    });
    await writeFile(join(src, "d7/new.txt"), "new file\n");
    await store.refresh(type);
    const before = await snapshot(target());
    const rcBefore = await readFile(join(root, "etc/rc.local"), "utf8");
    const revBefore = agentSync().currentRevision();
    const { out, progress } = await run(true);
    expect(out.changed).toEqual(["boot/rc.local", "d7/new.txt"]);
    expect(out.removed).toEqual([]);
    expect(out.rcLocalDiff).toBe(
      [
        "--- /etc/rc.local",
        "+++ mbtemp/boot/rc.local",
        "@@ -1,4 +1,5 @@",
        " #!/bin/sh -e",
        " # started at boot",
        " /opt/bbb-project/bin/start.sh &",
        "+/opt/bbb-project/bin/bridge.sh &",
        " exit 0",
        "",
      ].join("\n"),
    );
    expect(progress).toEqual([]);
    expect(await snapshot(target())).toEqual(before);
    expect(await readFile(join(root, "etc/rc.local"), "utf8")).toBe(rcBefore);
    expect(agentSync().currentRevision()).toBe(revBefore);
  }, 60_000);

  it("fails on a file that changed in the store after its manifest, leaving the live tree intact", async () => {
    // The manifest lists the new content of d9/f9.bin; the store's copy is then altered in place.
    await writeFile(join(src, "d9/f9.bin"), Buffer.alloc(4096, 1));
    await store.refresh(type);
    await writeFile(join(store.projectsDir, "mbtemp/d9/f9.bin"), Buffer.alloc(4096, 2));
    const before = await snapshot(target());
    const revBefore = agentSync().currentRevision();
    await expect(run()).rejects.toMatchObject({ code: "AGENT_E_SYNC_FAILED", data: { reason: "verify" } });
    expect(await snapshot(target())).toEqual(before);
    expect(agentSync().currentRevision()).toBe(revBefore);
    expect(await readdir(join(root, "opt"))).toEqual(["bbb-project"]);
  }, 60_000);

  it("stops when aborted mid-transfer and leaves nothing behind", async () => {
    const other = join(dir, "board2");
    const ac = new AbortController();
    const s = agentSync({ root: other });
    await expect(
      s.sync({
        dryRun: false,
        signal: ac.signal,
        onProgress: (p) => {
          if (p.bytes > 1_000_000) ac.abort();
        },
      }),
    ).rejects.toMatchObject({ code: "AGENT_E_INTERRUPTED" });
    expect(await readdir(join(other, "opt")).catch(() => [])).toEqual([]);
    expect(s.currentRevision()).toBeNull();
  }, 60_000);

  it("refuses a server whose host key does not match the configured fingerprint", async () => {
    const s = agentSync({ fingerprint: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
    await expect(
      s.sync({ dryRun: true, signal: AbortSignal.timeout(20_000), onProgress: () => undefined }),
    ).rejects.toMatchObject({
      data: { reason: "host-key-mismatch" },
    });
  });
});
