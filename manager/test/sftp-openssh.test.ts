import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { typeSchema } from "@bbb/shared";
import { createProjectStore, type ProjectStore } from "../src/projects/index.js";
import { createSftpServer, type SftpServer } from "../src/sftp/index.js";

const log = pino({ level: "silent" });
let dir: string;
let store: ProjectStore;
let server: SftpServer;
let port: number;
let liveTree: string;
let userKey: Buffer;
let identity: string;

async function writeAskpass(password: string): Promise<string> {
  const p = join(dir, `askpass-${randomBytes(4).toString("hex")}.sh`);
  await writeFile(p, `#!/bin/sh\nprintf '%s\\n' '${password}'\n`, { mode: 0o755 });
  return p;
}

/** Runs OpenSSH's sftp in batch mode; the password comes from SSH_ASKPASS (no sshpass needed). */
async function sftp(batch: string, opts: { password?: string; cwd?: string; identity?: string } = {}) {
  const batchFile = join(dir, `batch-${randomBytes(4).toString("hex")}`);
  await writeFile(batchFile, batch);
  const askpass = await writeAskpass(opts.password ?? "secret");
  return new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(
      "sftp",
      [
        ...(opts.identity
          ? ["-i", opts.identity, "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey"]
          : [
              // Before -b: sftp appends "-oBatchMode yes" for -b, and ssh keeps the first value given.
              "-o",
              "BatchMode=no",
              "-o",
              "PreferredAuthentications=password",
              "-o",
              "PubkeyAuthentication=no",
              "-o",
              "NumberOfPasswordPrompts=1",
            ]),
        "-b",
        batchFile,
        "-P",
        String(port),
        "-o",
        "StrictHostKeyChecking=no",
        "-o",
        "UserKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        "op@127.0.0.1",
      ],
      {
        cwd: opts.cwd ?? dir,
        env: { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // A hang at exit (mscdex/ssh2#1029) must fail the test, not stall it.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`sftp did not exit; stderr: ${stderr}`));
    }, 20_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sftp-openssh-"));
  const src = join(dir, "src");
  await mkdir(join(src, "bin"), { recursive: true });
  await mkdir(join(src, "db/deep"), { recursive: true });
  await writeFile(join(src, "bin/start.sh"), "#!/bin/sh\necho start\n", { mode: 0o755 });
  await writeFile(join(src, "db/deep/blob.bin"), randomBytes(300_000));
  await writeFile(join(src, "README"), "mbtemp project\n");
  await writeFile(join(src, "empty"), "");
  identity = join(dir, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", identity]);
  userKey = Buffer.from((await readFile(`${identity}.pub`, "utf8")).split(" ")[1] ?? "", "base64");
  store = createProjectStore({ dataDir: join(dir, "data"), log, projectRoots: [dir] });
  await store.refresh(typeSchema.parse({ name: "mbtemp", source: { kind: "local", path: src } }));
  liveTree = join(store.projectsDir, "mbtemp");
  // Planted after the build, as if the store had been tampered with: these must not be followed.
  await symlink("/etc/passwd", join(liveTree, "passwd-link"));
  await symlink("/etc", join(liveTree, "etc-link"));
  server = createSftpServer({
    projectsDir: store.projectsDir,
    hostKeyPath: join(dir, "data/sftp_host_ed25519_key"),
    log,
    authenticate: async (u, p) => (u === "op" && p === "secret" ? { kind: "user", role: "operator" } : null),
    authenticateKey: async (u, key) =>
      u === "op" && key.data.equals(userKey) ? { kind: "user", role: "operator" } : null,
  });
  ({ port } = await server.start({ port: 0, bind: "127.0.0.1" }));
});
afterAll(async () => {
  await server?.stop();
  await store?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function snapshot(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string) {
    for (const e of (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        await walk(r);
      } else if (e.isFile())
        out.push(
          `${r} ${(await readFile(join(root, r))).toString("base64")} ${(await stat(join(root, r))).mode & 0o777}`,
        );
      else out.push(`${r} -> link`);
    }
  }
  await walk("");
  return out;
}

describe("SFTP server with OpenSSH's sftp as the peer", () => {
  it("lists nothing at / on an empty store (no project built yet, no projects folder)", async () => {
    const empty = createSftpServer({
      projectsDir: join(dir, "data-empty/projects"),
      hostKeyPath: join(dir, "data/sftp_host_ed25519_key"),
      log,
      authenticate: async (u, p) => (u === "op" && p === "secret" ? { kind: "user", role: "operator" } : null),
    });
    const saved = port;
    ({ port } = await empty.start({ port: 0, bind: "127.0.0.1" }));
    try {
      const r = await sftp("ls -1 /\nls -la\ncd /\npwd\n");
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const listed = r.stdout
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("sftp>") && !l.startsWith("Remote working"));
      expect(listed).toEqual([]);
      expect(r.stdout).toContain("Remote working directory: /");
    } finally {
      port = saved;
      await empty.stop();
    }
  });

  it("lists the store root as / and mirrors a project byte for byte with get -r", async () => {
    const dl = join(dir, "dl");
    await mkdir(dl);
    const r = await sftp(
      "pwd\nls -1 /\ncd mbtemp\nlcd dl\nget -rp bin\nget -rp db\nget -p README\nget -p empty\nget -p .bbb-manifest.json\n",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Remote working directory: /");
    expect(r.stdout).toMatch(/^\/mbtemp$/m);
    for (const f of ["bin/start.sh", "db/deep/blob.bin", "README", "empty", ".bbb-manifest.json"]) {
      expect(await readFile(join(dl, f))).toEqual(await readFile(join(liveTree, f)));
    }
    expect((await stat(join(dl, "bin/start.sh"))).mode & 0o111).not.toBe(0);
  });

  it("refuses every write, escapes through .. and symlinks pointing outside; nothing changes", async () => {
    const before = await snapshot(liveTree);
    await writeFile(join(dir, "local.txt"), "x");
    const r = await sftp(
      [
        "-put local.txt /mbtemp/new.txt",
        "-mkdir /mbtemp/newdir",
        "-rm /mbtemp/README",
        "-rmdir /mbtemp/bin",
        "-rename /mbtemp/README /mbtemp/README2",
        "-chmod 777 /mbtemp/README",
        "-ln -s /mbtemp/README /mbtemp/ln",
        "-get ../../etc/passwd stolen1",
        "-get /mbtemp/passwd-link stolen2",
        "-get /mbtemp/etc-link/hostname stolen3",
        "-ls /mbtemp/etc-link",
        "-get /.trees stolen4",
        "",
      ].join("\n"),
    );
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines.filter((l) => /Permission denied|not permitted|denied/i.test(l)).length).toBeGreaterThanOrEqual(8);
    // Nothing of /etc is listed through the planted link.
    const output = r.stdout.split("\n").filter((l) => !l.startsWith("sftp>"));
    expect(output.join("\n")).not.toMatch(/hostname|shadow|passwd/);
    for (const f of ["stolen1", "stolen2", "stolen3", "stolen4"]) await expect(stat(join(dir, f))).rejects.toThrow();
    expect(await snapshot(liveTree)).toEqual(before);
  });

  it("refuses a wrong password and exits", async () => {
    const r = await sftp("ls /\n", { password: "wrong" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Permission denied|Authentication failed/i);
  });

  it("logs in with a public key (plain sftp -b, batch mode) and refuses an unknown key", async () => {
    const ok = await sftp("ls -1 /mbtemp\n", { identity });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/README/);
    const other = join(dir, "id_other");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", other]);
    const refused = await sftp("ls /\n", { identity: other });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Permission denied/);
  });

  it("ends the session cleanly: sftp exits at once after bye", async () => {
    const r = await sftp("ls /\nbye\n");
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(15_000);
  });
});
