import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, lstatSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// `make install DESTDIR=…` / `make uninstall DESTDIR=…` in agent/ (docs/deployment.md §"On a board"):
// a staging root must be left exactly as it was, a config that was there is never touched.
const agentDir = resolve(import.meta.dirname, "..");

/** Every path under root with its type, mode and content digest, for a before/after compare. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    const kind = st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : "f";
    const body = kind === "f" ? readFileSync(abs, "utf8") : "";
    out.push(`${kind} ${rel} ${(st.mode & 0o7777).toString(8)} ${body}`);
    if (kind === "d") for (const e of readdirSync(abs).sort()) walk(join(rel, e));
  };
  walk(".");
  return out;
}

let stage = "";
let work = "";
let bundle = "";

function make(target: string, extra: Record<string, string> = {}) {
  const r = spawnSync("make", ["-s", target, `DESTDIR=${stage}`], {
    cwd: agentDir,
    encoding: "utf8",
    env: { ...process.env, BUNDLE: bundle, SYSTEMD_VERSION: "252", ...extra },
  });
  if (r.status !== 0) throw new Error(`make ${target} exited ${r.status}: ${r.stderr}`);
  return r;
}

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "bbb-install-"));
  stage = join(work, "root");
  // A board's root before the install: /etc and /opt exist with unrelated files.
  mkdirSync(join(stage, "etc", "systemd"), { recursive: true });
  mkdirSync(join(stage, "opt"), { recursive: true });
  writeFileSync(join(stage, "etc", "hostname"), "LA-RaCtrl--CO-Srv-1\n");
  writeFileSync(join(stage, "opt", "device.json"), '{"device":4}');
  // install.sh copies whatever bundle it is given; the bundle itself is tested in bundle-smoke.
  bundle = join(work, "bbb-agent.cjs");
  writeFileSync(bundle, "'use strict';\n");
  writeFileSync(`${bundle}.map`, "{}");
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

describe("make install / uninstall into a staging root", () => {
  it("installs the bundle, the config (0600) and the unit, and uninstall restores the root exactly", () => {
    const before = snapshot(stage);
    make("install");
    expect(readFileSync(join(stage, "opt/bbb-agent/bbb-agent.cjs"), "utf8")).toBe("'use strict';\n");
    expect(existsSync(join(stage, "opt/bbb-agent/bbb-agent.cjs.map"))).toBe(true);
    const config = join(stage, "etc/bbb-agent/config.json");
    expect(lstatSync(config).mode & 0o777).toBe(0o600);
    expect(readFileSync(config, "utf8")).toBe(readFileSync(join(agentDir, "packaging/config.example.json"), "utf8"));
    const unit = readFileSync(join(stage, "etc/systemd/system/bbb-agent.service"), "utf8");
    expect(unit).toMatch(/^ExecStart=\/\S+\/node .* \/opt\/bbb-agent\/bbb-agent\.cjs$/m);
    expect(unit).not.toMatch(/@[A-Z]+@/);
    // systemd 252 (Debian 12) gets no RestartSteps= drop-in.
    expect(existsSync(join(stage, "etc/systemd/system/bbb-agent.service.d"))).toBe(false);
    const manifest = readFileSync(join(stage, "opt/bbb-agent/install-manifest"), "utf8");
    expect(manifest).toContain("d /opt/bbb-agent\n");
    expect(manifest).not.toMatch(/^d \/opt$|^d \/etc$|^d \/etc\/systemd$/m);

    make("uninstall");
    expect(snapshot(stage)).toEqual(before);
  });

  it("never overwrites an existing config and leaves it in place on uninstall", () => {
    mkdirSync(join(stage, "etc/bbb-agent"), { mode: 0o755 });
    writeFileSync(join(stage, "etc/bbb-agent/config.json"), '{"token":"mine"}', { mode: 0o600 });
    const before = snapshot(stage);
    const r = make("install");
    expect(r.stdout).toContain("keeping the existing /etc/bbb-agent/config.json");
    expect(readFileSync(join(stage, "etc/bbb-agent/config.json"), "utf8")).toBe('{"token":"mine"}');
    make("uninstall");
    expect(snapshot(stage)).toEqual(before);
  });

  it("installs a given CONFIG, survives a re-install (upgrade) and still uninstalls cleanly", () => {
    const before = snapshot(stage);
    const provisioned = join(work, "provisioned.json");
    writeFileSync(provisioned, '{"boardId":"a0f6fd8b1c22","token":"t"}\n');
    make("install", { CONFIG: provisioned });
    writeFileSync(bundle, "'use strict'; // v2\n");
    make("install", { CONFIG: provisioned });
    expect(readFileSync(join(stage, "opt/bbb-agent/bbb-agent.cjs"), "utf8")).toContain("v2");
    expect(readFileSync(join(stage, "etc/bbb-agent/config.json"), "utf8")).toContain("a0f6fd8b1c22");
    make("uninstall");
    expect(snapshot(stage)).toEqual(before);
  });

  it("adds the back-off drop-in on systemd >= 254 and removes it again", () => {
    const before = snapshot(stage);
    make("install", { SYSTEMD_VERSION: "256" });
    const dropIn = readFileSync(join(stage, "etc/systemd/system/bbb-agent.service.d/backoff.conf"), "utf8");
    expect(dropIn).toMatch(/^RestartSteps=\d+$/m);
    make("uninstall");
    expect(snapshot(stage)).toEqual(before);
  });

  it("keeps files an operator added to an installed directory", () => {
    make("install");
    writeFileSync(join(stage, "etc/bbb-agent/env"), "BBB_LOG_LEVEL=debug\n");
    const r = make("uninstall");
    expect(r.stdout).toContain("kept /etc/bbb-agent (not empty)");
    expect(readFileSync(join(stage, "etc/bbb-agent/env"), "utf8")).toBe("BBB_LOG_LEVEL=debug\n");
    expect(existsSync(join(stage, "opt/bbb-agent"))).toBe(false);
  });
});
