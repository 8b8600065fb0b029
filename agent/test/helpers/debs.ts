import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";

// The Debian packages and the armhf Debian roots the package tests share. Test files run in
// parallel processes: each build happens once, under a lock directory, into a folder keyed by
// the content of what it is built from.
export const agentDir = resolve(import.meta.dirname, "..", "..");
const repoDir = resolve(agentDir, "..");

function hashTree(h: ReturnType<typeof createHash>, dir: string): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === "node_modules" || name.endsWith(".test.ts")) continue;
    if (statSync(p).isDirectory()) hashTree(h, p);
    else h.update(p).update(readFileSync(p));
  }
}

async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process builds; a lock older than 20 min is from a killed run.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 20 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() - started > 20 * 60_000) throw new Error(`${lock}: waited 20 min`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((done, fail) => {
    const p = spawn(file, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (b: Buffer) => (out += b.toString()));
    p.stderr.on("data", (b: Buffer) => (out += b.toString()));
    p.on("error", fail);
    p.on("close", (code) => (code === 0 ? done(out) : fail(new Error(`${file} ${args.join(" ")} exited ${code}:\n${out.slice(-3000)}`))));
  });
}

export interface BuiltDebs {
  dir: string;
  /** Node 18, Debian 10+. */
  armhf: string;
  /** Node 16, Debian 9+. */
  armhfDeb9: string;
  amd64: string;
  /** build-deb.sh's size lines. */
  report: string;
}

/**
 * `packaging/deb/build-deb.sh` on a fresh bundle, with xz preset 1 (DEB_XZ_LEVEL): the same
 * files as `make deb`, compressed faster.
 */
export async function ensureDebs(): Promise<BuiltDebs> {
  const h = createHash("sha256");
  for (const d of [join(agentDir, "src"), join(agentDir, "packaging"), join(agentDir, "scripts"), join(repoDir, "shared", "src")]) hashTree(h, d);
  h.update(readFileSync(join(agentDir, "package.json")));
  const base = join(process.env.TMPDIR ?? tmpdir(), "bbb-deb-test");
  const dir = join(base, h.digest("hex").slice(0, 16));
  mkdirSync(base, { recursive: true });
  const version = (JSON.parse(readFileSync(join(agentDir, "package.json"), "utf8")) as { version: string }).version;
  const files = {
    dir,
    armhf: join(dir, `bbb-agent_${version}_armhf.deb`),
    armhfDeb9: join(dir, `bbb-agent_${version}~deb9_armhf.deb`),
    amd64: join(dir, `bbb-agent_${version}_amd64.deb`),
  };
  return withLock(`${dir}.lock`, async () => {
    if (!existsSync(join(dir, "report.txt"))) {
      rmSync(dir, { recursive: true, force: true });
      await run(process.execPath, [join(agentDir, "scripts", "bundle.mjs"), "--outdir", join(dir, "bundle")]);
      const report = await run("bash", [join(agentDir, "packaging", "deb", "build-deb.sh"), "--bundle", join(dir, "bundle"), "--out", dir], {
        DEB_XZ_LEVEL: "1",
      });
      writeFileSync(join(dir, "report.txt"), report);
    }
    return { ...files, report: readFileSync(join(dir, "report.txt"), "utf8") };
  });
}

export const ARMHF_CACHE = process.env.BBB_ARMHF_CACHE ?? join(homedir(), ".cache", "bbb-armhf");

/**
 * An armhf Debian root (test/armhf/make-root.sh) cached in ~/.cache/bbb-armhf/<suite>, built
 * once per machine; a change of make-root.sh builds it again.
 */
export async function ensureArmhfRoot(suite: "bullseye" | "bookworm"): Promise<string> {
  const script = join(agentDir, "test", "armhf", "make-root.sh");
  const stamp = createHash("sha256").update(readFileSync(script)).digest("hex").slice(0, 16);
  const root = join(ARMHF_CACHE, suite);
  mkdirSync(ARMHF_CACHE, { recursive: true });
  return withLock(`${root}.lock`, async () => {
    const marker = join(root, ".bbb-root");
    if (!existsSync(marker) || readFileSync(marker, "utf8").trim() !== stamp) {
      await run("bash", [script, suite, root]);
      writeFileSync(marker, stamp);
    }
    return root;
  });
}

/** `dpkg-deb -f` / `-c` / one file's content, for assertions on a built package. */
export const debField = (deb: string, field: string) => spawnSync("dpkg-deb", ["-f", deb, field], { encoding: "utf8" }).stdout.trim();
export function debFile(deb: string, path: string, dest: string): void {
  const r = spawnSync("sh", ["-c", 'dpkg-deb --fsys-tarfile "$1" | tar -xO ".$2" > "$3"', "sh", deb, path, dest]);
  if (r.status !== 0) throw new Error(`cannot extract ${path} from ${deb}`);
}
