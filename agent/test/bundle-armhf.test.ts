import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runBundle, type BundleRun } from "./bundle-harness.js";
import { ensureArmhfRoot, ensureDebs, type BuiltDebs } from "./helpers/debs.js";

// The Debian package on the boards' CPU (docs/deployment.md "Debian versions proven"): armhf
// roots of Debian 11 and 12 (test/armhf/make-root.sh, cached in ~/.cache/bbb-armhf, built by
// the first run on a machine), the package installed into them by dpkg, and the package's own
// node running its bundle under qemu-arm with QEMU_CPU=cortex-a8 (the BeagleBone Black's AM335x)
// against a real broker on this machine: online, heartbeats, ping, set-hostname into a fake
// root, SIGTERM leaves `offline`. Debian 9 and 10 cannot be fetched here: the ELF checks of
// deb-package.test.ts stand in for them, and the Debian 9 package's Node 16 runs in the
// Debian 11 root. System calls go to this machine's kernel and the agent's child programs are
// this machine's (recorded fakes for hostname/systemctl): it proves the runtime and bundle on
// armv7, not a board's kernel.
const QEMU = "qemu-arm-static";
let debs: BuiltDebs;
const roots: Record<string, string> = {};
beforeAll(async () => {
  const [built, bullseye, bookworm] = await Promise.all([ensureDebs(), ensureArmhfRoot("bullseye"), ensureArmhfRoot("bookworm")]);
  debs = built;
  roots.bullseye = bullseye;
  roots.bookworm = bookworm;
}, 900_000);

const env = { ...process.env, LC_ALL: "C" };
/** dpkg -i of the root's own armhf dpkg, run inside the root by proot under qemu (Cortex-A8). */
function dpkgInside(root: string, deb: string): string {
  mkdirSync(join(root, "tmp"), { recursive: true });
  copyFileSync(deb, join(root, "tmp", "bbb-agent.deb"));
  const r = spawnSync(
    "proot",
    ["-r", root, "-q", `${QEMU} -cpu cortex-a8`, "-w", "/", "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "dpkg", "-i", "/tmp/bbb-agent.deb"],
    { encoding: "utf8", env, timeout: 300_000 },
  );
  rmSync(join(root, "tmp", "bbb-agent.deb"), { force: true });
  if (r.status !== 0) throw new Error(`dpkg -i in ${root} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}
/**
 * Debian 12's glibc stats files with statx(2), which this proot does not translate: there the
 * root is installed into by this machine's dpkg, chrootless (DPKG_ROOT), running the same
 * maintainer scripts with the host's shell.
 */
function dpkgInto(root: string, deb: string): string {
  const r = spawnSync(
    "dpkg",
    [`--root=${root}`, `--admindir=${root}/var/lib/dpkg`, "--force-script-chrootless", "--force-architecture", "-i", deb],
    { encoding: "utf8", env, timeout: 300_000 },
  );
  if (r.status !== 0) throw new Error(`dpkg --root=${root} -i exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function runInstalled(root: string): Promise<BundleRun> {
  const node = [QEMU, "-L", root, "-cpu", "cortex-a8", join(root, "opt/bbb-agent/node")];
  return runBundle(join(root, "opt/bbb-agent/bbb-agent.cjs"), node, {
    beats: 3,
    timeoutMs: 240_000,
    commands: [
      { action: "ping", args: {} },
      { action: "set-hostname", args: { hostname: "LA-RaCtrl--CO-Srv-1" } },
    ],
  });
}

function expectBoardRun(run: BundleRun, label: string): void {
  console.log(
    `${label}: first heartbeat after ${run.firstHeartbeatMs} ms, RSS (qemu + node) ${run.rssKb} kB, ` +
      `${run.cpuTicks} CPU ticks over ${run.windowMs} ms`,
  );
  expect(run.arch).toBe("arm");
  expect(run.heartbeats).toBeGreaterThanOrEqual(3);
  expect(run.results).toEqual({ ping: "succeeded", "set-hostname": "succeeded" });
  expect(run.hostnameAfter).toBe("LA-RaCtrl--CO-Srv-1");
  expect(run.recorded).toContain("hostname LA-RaCtrl--CO-Srv-1");
  expect(run.exitCode).toBe(0);
  expect(run.offlineSession).toBe(run.session);
  expect(run.errorLogs).toEqual([]);
}

const nodeVersion = (root: string) =>
  spawnSync(QEMU, ["-L", root, "-cpu", "cortex-a8", join(root, "opt/bbb-agent/node"), "-p", "process.version + ' ' + process.arch"], { encoding: "utf8" }).stdout.trim();

describe("the armhf package on emulated Cortex-A8", () => {
  it("Debian 11 root: dpkg -i inside the root, the package's Node 18 runs the agent", { timeout: 600_000 }, async () => {
    const out = dpkgInside(roots.bullseye!, debs.armhf);
    expect(out).toContain("Setting up bbb-agent");
    expect(out).toContain("systemctl not found");
    expect(nodeVersion(roots.bullseye!)).toBe("v18.20.4 arm");
    expect(readFileSync(join(roots.bullseye!, "etc/bbb-agent/config.json"), "utf8")).toContain("REPLACE-WITH");
    expectBoardRun(await runInstalled(roots.bullseye!), "bullseye, Node 18.20.4 armv7l");
  });

  it("Debian 11 root: the Debian 9 package (Node 16) installed over it runs the agent", { timeout: 600_000 }, async () => {
    const out = dpkgInside(roots.bullseye!, debs.armhfDeb9);
    expect(out).toContain("Setting up bbb-agent");
    expect(nodeVersion(roots.bullseye!)).toBe("v16.20.2 arm");
    expectBoardRun(await runInstalled(roots.bullseye!), "bullseye, Node 16.20.2 armv7l");
  });

  it("Debian 12 root: dpkg into the root, the package's Node 18 runs the agent", { timeout: 600_000 }, async () => {
    const out = dpkgInto(roots.bookworm!, debs.armhf);
    expect(out).toContain("installed under DPKG_ROOT");
    expect(existsSync(join(roots.bookworm!, "var/lib/bbb-agent"))).toBe(true);
    expect(nodeVersion(roots.bookworm!)).toBe("v18.20.4 arm");
    expectBoardRun(await runInstalled(roots.bookworm!), "bookworm, Node 18.20.4 armv7l");
  });
});
