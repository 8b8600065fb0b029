import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { agentConfigSchema } from "../src/config/schema.js";

// The unit files pass `systemd-analyze verify` with no warnings. verify exits 0 on
// warnings, so its output is checked too; the unit is verified from a temp dir as installed
// (placeholders filled), with its drop-ins beside it as systemd would load them.
const packaging = resolve(import.meta.dirname, "..", "packaging");
const analyze = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
const systemdVersion = analyze.status === 0 ? Number(/systemd (\d+)/.exec(analyze.stdout)?.[1] ?? 0) : 0;
const noAnalyze = analyze.status !== 0 ? "systemd-analyze is not installed (Debian package systemd)" : "";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function installedUnit(): string {
  const dir = mkdtempSync(join(tmpdir(), "bbb-unit-"));
  dirs.push(dir);
  const unit = readFileSync(join(packaging, "bbb-agent.service.in"), "utf8")
    .replaceAll("@NODE@", process.execPath)
    .replaceAll("@PREFIX@", "/opt/bbb-agent");
  writeFileSync(join(dir, "bbb-agent.service"), unit);
  return dir;
}

function verify(dir: string) {
  const r = spawnSync("systemd-analyze", ["verify", "--man=no", join(dir, "bbb-agent.service")], {
    encoding: "utf8",
    cwd: dir,
  });
  // Known-harmless: lines about the build machine's own unit files (not ours).
  const lines = `${r.stdout}\n${r.stderr}`
    .split("\n")
    .filter((l) => l.trim() !== "")
    .filter((l) => !/^\/(usr\/)?lib\/systemd\/|^\/(etc|run)\/systemd\//.test(l));
  return { status: r.status, lines };
}

describe("systemd unit", () => {
  it.skipIf(noAnalyze !== "")(`bbb-agent.service verifies with no warnings ${noAnalyze}`, () => {
    const r = verify(installedUnit());
    expect(r.lines).toEqual([]);
    expect(r.status).toBe(0);
  });

  const tooOld = systemdVersion < 254 ? `(systemd ${systemdVersion} < 254 has no RestartSteps=)` : "";
  it.skipIf(noAnalyze !== "" || tooOld !== "")(`back-off drop-in verifies with no warnings ${noAnalyze}${tooOld}`, () => {
    const dir = installedUnit();
    mkdirSync(join(dir, "bbb-agent.service.d"));
    copyFileSync(join(packaging, "bbb-agent.service.d/backoff.conf"), join(dir, "bbb-agent.service.d/backoff.conf"));
    const r = verify(dir);
    expect(r.lines).toEqual([]);
    expect(r.status).toBe(0);
  });

  it("keeps the settings the actions and the journal depend on", () => {
    const unit = readFileSync(join(packaging, "bbb-agent.service.in"), "utf8");
    const keys = new Map<string, string[]>();
    for (const line of unit.split("\n")) {
      const m = /^([A-Za-z]+)=(.*)$/.exec(line);
      if (m) keys.set(m[1]!, [...(keys.get(m[1]!) ?? []), m[2]!]);
    }
    const one = (k: string) => keys.get(k)?.at(-1);
    expect(one("Restart")).toBe("on-failure");
    expect(one("After")).toContain("network-online.target");
    expect(one("Wants")).toContain("network-online.target");
    expect(one("EnvironmentFile")).toBe("-/etc/bbb-agent/env");
    expect(one("StandardOutput")).toBe("journal");
    expect(one("ReadWritePaths")?.split(" ")).toEqual(expect.arrayContaining(["/etc", "/opt"]));
    expect(one("ReadOnlyPaths")).toBe("@PREFIX@");
    // Restarts every RestartSec must never trip the start limit (the agent is never given up on).
    const restartSec = Number(/^(\d+)s$/.exec(one("RestartSec") ?? "")?.[1]);
    const burst = Number(one("StartLimitBurst"));
    const interval = Number(one("StartLimitIntervalSec"));
    expect(restartSec * (burst - 1)).toBeGreaterThanOrEqual(interval);
    // Hiding the hostname change or /sys (LEDs) would break set-hostname and identify.
    expect(keys.has("ProtectHostname")).toBe(false);
    expect(keys.has("ProtectKernelTunables")).toBe(false);
    expect(keys.has("MemoryDenyWriteExecute")).toBe(false);
    const caps = one("CapabilityBoundingSet")?.split(" ") ?? [];
    expect(caps).toEqual(expect.arrayContaining(["CAP_NET_ADMIN", "CAP_SYS_BOOT"]));
    expect(one("SystemCallFilter")).toContain("sethostname");
  });
});

describe("config.example.json", () => {
  it("is a valid agent config", () => {
    const example: unknown = JSON.parse(readFileSync(join(packaging, "config.example.json"), "utf8"));
    const r = agentConfigSchema.safeParse(example);
    expect(r.success, r.success ? "" : r.error.message).toBe(true);
  });
});
