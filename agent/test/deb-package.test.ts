import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentDir, debField, debFile, ensureDebs, type BuiltDebs } from "./helpers/debs.js";

// The Debian packages (docs/deployment.md): what each carries, what its runtime needs from the
// board's libraries, and dpkg's whole life cycle on the amd64 one, installed by this machine's
// dpkg into a staging root (chrootless, DPKG_ROOT: the maintainer scripts run and never touch
// this machine's systemd).
let debs: BuiltDebs;
const dirs: string[] = [];
beforeAll(async () => {
  debs = await ensureDebs();
  console.log(debs.report.trim());
}, 900_000);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

interface Runtime { arch: string; suffix: string; node: string; debian: string; glibc: string; glibcxx: string }
const runtimes: Runtime[] = readFileSync(join(agentDir, "packaging", "deb", "runtimes"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "" && !l.startsWith("#"))
  .map((l) => {
    const [arch, suffix, , node, debian, glibc, glibcxx] = l.trim().split(/\s+/);
    return { arch: arch!, suffix: suffix === "-" ? "" : suffix!, node: node!, debian: debian!, glibc: glibc!, glibcxx: glibcxx! };
  });
const debOf = (r: Runtime) => (r.arch === "amd64" ? debs.amd64 : r.suffix === "~deb9" ? debs.armhfDeb9 : debs.armhf);

/** Compares dotted versions numerically: "2.28" > "2.9". */
const newer = (a: string, b: string) => {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};
/** The highest GLIBC_ and GLIBCXX_ symbol versions a binary needs (`objdump -T`). */
export function neededVersions(objdumpT: string): { glibc: string; glibcxx: string } {
  let glibc = "0";
  let glibcxx = "0";
  for (const m of objdumpT.matchAll(/\b(GLIBC|GLIBCXX)_([0-9.]+)\b/g)) {
    if (m[1] === "GLIBC" && newer(m[2]!, glibc)) glibc = m[2]!;
    if (m[1] === "GLIBCXX" && newer(m[2]!, glibcxx)) glibcxx = m[2]!;
  }
  return { glibc, glibcxx };
}

describe("ELF requirements of the shipped runtimes", () => {
  it("the version reader finds the highest versions, numerically", () => {
    const sample = "0 DF *UND* 0 (GLIBC_2.9) f\n0 DF *UND* 0 (GLIBC_2.28) fcntl64\n0 DF *UND* 0 GLIBCXX_3.4.25 x\n0 (GLIBCXX_3.4.9) y";
    expect(neededVersions(sample)).toEqual({ glibc: "2.28", glibcxx: "3.4.25" });
  });
  for (const r of runtimes) {
    it(`${r.arch}${r.suffix}: Node ${r.node} needs at most glibc ${r.glibc} / GLIBCXX ${r.glibcxx} (Debian ${r.debian})`, () => {
      const node = join(tmp("bbb-elf-"), "node");
      debFile(debOf(r), "/opt/bbb-agent/node", node);
      const dump = spawnSync("objdump", ["-T", node], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
      expect(dump.status).toBe(0);
      const needed = neededVersions(dump.stdout);
      console.log(`${r.arch}${r.suffix} node ${r.node}: needs GLIBC_${needed.glibc}, GLIBCXX_${needed.glibcxx}`);
      expect(newer(needed.glibc, r.glibc), `GLIBC_${needed.glibc} > ${r.glibc}`).toBe(false);
      expect(newer(needed.glibcxx, r.glibcxx), `GLIBCXX_${needed.glibcxx} > ${r.glibcxx}`).toBe(false);
      // Stripped: no .symtab left, only the dynamic symbols.
      const sections = spawnSync("objdump", ["-h", node], { encoding: "utf8" }).stdout;
      expect(sections).not.toMatch(/\.symtab|\.debug_/);
      const needs = spawnSync("objdump", ["-p", node], { encoding: "utf8" }).stdout;
      if (needs.includes("libatomic.so.1")) expect(debField(debOf(r), "Depends")).toContain("libatomic1");
      expect(debField(debOf(r), "Depends")).toContain(`libc6 (>= ${r.glibc})`);
    });
  }
});

describe("package contents", () => {
  it("layout, conffile, control fields and size of every package", () => {
    for (const r of runtimes) {
      const deb = debOf(r);
      const list = spawnSync("dpkg-deb", ["-c", deb], { encoding: "utf8" }).stdout;
      for (const f of ["./opt/bbb-agent/node", "./opt/bbb-agent/bbb-agent.cjs", "./lib/systemd/system/bbb-agent.service", "./usr/bin/bbb-agent", "./etc/bbb-agent/config.json"])
        expect(list).toContain(f);
      expect(list).not.toMatch(/npm|include\/node|corepack/);
      expect(debField(deb, "Architecture")).toBe(r.arch);
      expect(debField(deb, "Package")).toBe("bbb-agent");
      const conffiles = spawnSync("sh", ["-c", 'dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles', "sh", deb], { encoding: "utf8" }).stdout;
      expect(conffiles.trim()).toBe("/etc/bbb-agent/config.json");
      // The .deb sizes of docs/deployment.md (<= 20 MiB per armhf package) are those of `make deb`
      // (xz -6); this build uses xz -1, so what is checked here is the payload: the stripped
      // runtime, the bundle and its map, under 72 MiB installed.
      expect(Number(debField(deb, "Installed-Size"))).toBeLessThanOrEqual(72 * 1024 * (r.arch === "armhf" ? 1 : 1.25));
    }
  });
});

describe("dpkg life cycle into a staging root (amd64)", () => {
  const dpkg = (root: string, ...args: string[]) =>
    spawnSync("dpkg", [`--root=${root}`, `--admindir=${root}/var/lib/dpkg`, "--force-script-chrootless", "--force-depends", "--force-confold", "--force-confdef", ...args], {
      encoding: "utf8",
      env: { ...process.env, LC_ALL: "C" },
    });
  const installed = (root: string) =>
    spawnSync("dpkg-query", [`--admindir=${root}/var/lib/dpkg`, "-W", "-f", "${Version} ${db:Status-Abbrev}", "bbb-agent"], { encoding: "utf8" }).stdout.trim();
  /** The same package under another version: what an upgrade or a downgrade installs. */
  const repack = (version: string): string => {
    const d = tmp("bbb-repack-");
    spawnSync("dpkg-deb", ["-R", debs.amd64, join(d, "pkg")]);
    const control = join(d, "pkg", "DEBIAN", "control");
    writeFileSync(control, readFileSync(control, "utf8").replace(/^Version: .*$/m, `Version: ${version}`));
    const out = join(d, `bbb-agent_${version}_amd64.deb`);
    const r = spawnSync("dpkg-deb", ["--root-owner-group", "-Zgzip", "-z1", "--build", join(d, "pkg"), out], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return out;
  };

  it("install twice, upgrade and downgrade keep config and state; remove keeps them; purge removes them", { timeout: 300_000 }, () => {
    const root = tmp("bbb-stage-");
    mkdirSync(join(root, "var/lib/dpkg/info"), { recursive: true });
    mkdirSync(join(root, "var/lib/dpkg/updates"));
    writeFileSync(join(root, "var/lib/dpkg/status"), "");
    const version = debField(debs.amd64, "Version");

    let r = dpkg(root, "-i", debs.amd64);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`installed under DPKG_ROOT=${root}`);
    expect(installed(root)).toBe(`${version} ii`);
    expect(statSync(join(root, "var/lib/bbb-agent")).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, "etc/bbb-agent/config.json")).mode & 0o777).toBe(0o600);
    // The operator's config and the agent's state.
    const config = JSON.stringify({ mqttUrls: ["mqtts://manager.example:8883"], token: "t0ken-of-this-board" });
    writeFileSync(join(root, "etc/bbb-agent/config.json"), config);
    writeFileSync(join(root, "var/lib/bbb-agent/results.json"), "{}");

    r = dpkg(root, "-i", debs.amd64);
    expect(r.status, r.stderr).toBe(0);
    r = dpkg(root, "-i", repack(`${version}.1`));
    expect(r.status, r.stderr).toBe(0);
    expect(installed(root)).toBe(`${version}.1 ii`);
    r = dpkg(root, "-i", debs.amd64);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/[Dd]owngrading/);
    expect(installed(root)).toBe(`${version} ii`);
    expect(readFileSync(join(root, "etc/bbb-agent/config.json"), "utf8")).toBe(config);
    expect(existsSync(join(root, "var/lib/bbb-agent/results.json"))).toBe(true);
    // The staged runtime and bundle work and read the staged config.
    const v = spawnSync(join(root, "opt/bbb-agent/node"), [join(root, "opt/bbb-agent/bbb-agent.cjs"), "--version"], { encoding: "utf8" });
    expect(v.stdout).toMatch(/^bbb-agent \d+\.\d+\.\d+ \(Node\.js v18\.20\.4, x64\)/);

    r = dpkg(root, "--remove", "bbb-agent");
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(root, "opt/bbb-agent/node"))).toBe(false);
    expect(existsSync(join(root, "usr/bin/bbb-agent"))).toBe(false);
    expect(readFileSync(join(root, "etc/bbb-agent/config.json"), "utf8")).toBe(config);
    expect(existsSync(join(root, "var/lib/bbb-agent/results.json"))).toBe(true);

    r = dpkg(root, "--purge", "bbb-agent");
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(root, "etc/bbb-agent"))).toBe(false);
    expect(existsSync(join(root, "var/lib/bbb-agent"))).toBe(false);
    expect(installed(root)).toBe("");
  });

  it("the packaged unit is the verified one (install-units.test.ts) with the package's paths", () => {
    const unit = join(tmp("bbb-unit-"), "bbb-agent.service");
    debFile(debs.amd64, "/lib/systemd/system/bbb-agent.service", unit);
    const expected = readFileSync(join(agentDir, "packaging", "bbb-agent.service.in"), "utf8")
      .replaceAll("@NODE@", "/opt/bbb-agent/node")
      .replaceAll("@PREFIX@", "/opt/bbb-agent");
    const text = readFileSync(unit, "utf8");
    expect(text).toBe(expected);
    expect(text).toMatch(/^Type=notify$/m);
    expect(text).toMatch(/^WatchdogSec=\d+s$/m);
  });
});
