import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { deviceTypeName } from "@bbb/shared";
import type { Exec } from "../system/exec.js";
import { createRootedFs } from "../system/rooted-fs.js";
import { migrate, rollback, type MigrateDeps } from "./migrate.js";
import { projectDirFromRcLocal } from "./old-board.js";

// Fake roots shaped like the boards of today (test/fixtures/old-*): bbbread beside
// bbb-function (Debian 9 images), and the older bbb-daemon with its unit in /lib.
const fixtures = resolve(import.meta.dirname, "..", "..", "test", "fixtures");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function board(name: string, live = true) {
  const root = mkdtempSync(join(tmpdir(), "bbb-migrate-"));
  dirs.push(root);
  cpSync(join(fixtures, name), root, { recursive: true, verbatimSymlinks: true });
  const calls: string[] = [];
  const exec: Exec = async (file, args) => {
    calls.push([file, ...args].join(" "));
    return { exitCode: 0, stdout: "", stderr: "" };
  };
  const out: string[] = [];
  const deps: MigrateDeps = {
    fs: createRootedFs(root),
    exec,
    stateDir: "/var/lib/bbb-agent",
    configPath: "/etc/bbb-agent/config.json",
    systemctlRoot: live ? null : root,
    systemdRunning: live,
    out: (l) => out.push(l),
    now: () => new Date("2026-12-06T03:00:00Z"),
  };
  return { root, calls, out, deps };
}

describe("taking over from the old daemons", () => {
  it("bbbread: stops and disables it (never bbb-function), records what the board was", async () => {
    const b = board("old-bbbread");
    const record = await migrate(b.deps);
    expect(b.calls).toEqual(["systemctl disable --now bbbread.service"]);
    expect(record.units).toEqual([{ name: "bbbread.service", path: "/etc/systemd/system/bbbread.service", enabled: true }]);
    expect(record.identity).toEqual({
      hostname: "LA-RaCtrl--CO-Srv-1",
      epicsName: "LA-RaCtrl:CO-Srv-1",
      deviceType: deviceTypeName(4),
      deviceDetails: "MBTemps connected [1, 2]",
      projectDir: "/root/rs485-project",
    });
    expect(JSON.parse(readFileSync(join(b.root, "var/lib/bbb-agent/migration.json"), "utf8"))).toEqual(record);
    // The unit file stays, for --rollback.
    expect(existsSync(join(b.root, "etc/systemd/system/bbbread.service"))).toBe(true);
  });

  it("rollback re-enables and starts what was enabled, then stops and disables bbb-agent", async () => {
    const b = board("old-bbbread");
    await migrate(b.deps);
    b.calls.length = 0;
    await rollback(b.deps);
    expect(b.calls).toEqual(["systemctl enable --now bbbread.service", "systemctl disable --now bbb-agent.service"]);
    expect(existsSync(join(b.root, "var/lib/bbb-agent/migration.json"))).toBe(false);
    b.calls.length = 0;
    await rollback(b.deps);
    expect(b.calls).toEqual([]);
    expect(b.out.at(-1)).toMatch(/nothing to roll back/);
  });

  it("bbb-daemon with its unit in /lib, on a mounted root: systemctl --root, no --now", async () => {
    const b = board("old-bbb-daemon", false);
    const record = await migrate(b.deps);
    expect(b.calls).toEqual([`systemctl --root=${b.root} disable bbb-daemon.service`]);
    expect(record.units[0]?.path).toBe("/lib/systemd/system/bbb-daemon.service");
    expect(record.identity.projectDir).toBe("/opt/ioc/counting-pru");
  });

  it("a second run keeps the first record's view of what was enabled", async () => {
    const b = board("old-bbbread");
    await migrate(b.deps);
    rmSync(join(b.root, "etc/systemd/system/multi-user.target.wants/bbbread.service"));
    const again = await migrate(b.deps);
    expect(again.units[0]?.enabled).toBe(true);
    expect(again.at).toBe("2026-12-06T03:00:00.000Z");
  });

  it("--dry-run changes nothing", async () => {
    const b = board("old-bbbread");
    await migrate(b.deps, true);
    expect(b.calls).toEqual([]);
    expect(existsSync(join(b.root, "var/lib/bbb-agent"))).toBe(false);
    expect(b.out.join("\n")).toMatch(/would stop and disable bbbread.service/);
  });

  it("the config gets rc.local's project folder as projectDir unless it names one", async () => {
    const b = board("old-bbbread");
    const fs = createRootedFs(b.root);
    await fs.mkdirp("/etc/bbb-agent");
    await fs.writeAtomic("/etc/bbb-agent/config.json", JSON.stringify({ token: "t" }));
    await migrate(b.deps);
    expect(JSON.parse(await fs.readText("/etc/bbb-agent/config.json"))).toEqual({ token: "t", projectDir: "/root/rs485-project" });
    await fs.writeAtomic("/etc/bbb-agent/config.json", JSON.stringify({ projectDir: "/opt/other" }));
    await migrate(b.deps);
    expect(JSON.parse(await fs.readText("/etc/bbb-agent/config.json"))).toEqual({ projectDir: "/opt/other" });
  });
});

describe("projectDirFromRcLocal", () => {
  it.each([
    ["cd /root/proj\n./start.sh &\n", "/root/proj"],
    ["/opt/ioc/x/start-ioc.sh > /var/log/a 2>&1 &\n", "/opt/ioc/x"],
    ["# cd /root/old\necho 1 > /sys/class/leds/x/brightness\nbash /home/sirius/run.sh\n", "/home/sirius"],
    ["exit 0\n", null],
  ])("%j → %s", (text, dir) => {
    expect(projectDirFromRcLocal(text)).toBe(dir);
  });
});
