import { posix } from "node:path";
import { deviceJsonSchema, deviceTypeName } from "@bbb/shared";
import { DEVICE_JSON_PATH } from "../heartbeat/device-info.js";
import type { RootedFs } from "../system/rooted-fs.js";

/**
 * The daemons the agent takes over from (docs/deployment.md "Taking over from the old
 * daemons"): bbbread, and the older bbb-daemon. bbb-function drives the devices and is never
 * touched.
 */
export const OLD_DAEMON_UNITS = ["bbbread.service", "bbb-daemon.service"] as const;
export const KEPT_UNITS = ["bbb-function.service"] as const;
const UNIT_DIRS = ["/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"];
const RC_LOCAL = "/etc/rc.local";

export interface OldUnit {
  name: string;
  /** The unit file's path on the board. */
  path: string;
  /** A symlink to it exists in some /etc/systemd/system/<target>.wants/. */
  enabled: boolean;
}

/** The old daemons' units present on the board, and whether each is enabled. */
export async function findOldUnits(fs: RootedFs): Promise<OldUnit[]> {
  const wants = (await fs.readdir("/etc/systemd/system")).filter((d) => d.endsWith(".wants"));
  const found: OldUnit[] = [];
  for (const name of OLD_DAEMON_UNITS) {
    let path: string | null = null;
    for (const dir of UNIT_DIRS) {
      if (await fs.exists(`${dir}/${name}`)) {
        path = `${dir}/${name}`;
        break;
      }
    }
    if (path === null) continue;
    let enabled = false;
    for (const w of wants) {
      if (await fs.isSymlink(`/etc/systemd/system/${w}/${name}`)) enabled = true;
    }
    found.push({ name, path, enabled });
  }
  return found;
}

export interface OldIdentity {
  hostname: string | null;
  /** EPICS form of the hostname (`--` back to `:`), as operators know the board. */
  epicsName: string | null;
  deviceType: string | null;
  deviceDetails: string | null;
  /** The folder rc.local starts the board's project from, when it names one. */
  projectDir: string | null;
}

/**
 * The project folder rc.local expects: the first absolute path it changes into or runs a
 * program from, outside the system folders. The old daemons never chose one themselves: the
 * rsync of the project and rc.local put it there, so rc.local is where it is written down.
 */
export function projectDirFromRcLocal(text: string): string | null {
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    for (const m of line.matchAll(/(?:^|[\s;&(=])(\/[^\s;&|)'"]+)/g)) {
      const p = (m[1] ?? "").replace(/\/+$/, "");
      if (p === "" || SYSTEM_DIRS.test(p)) continue;
      // `cd /root/project` names the folder; `/root/project/start.sh` a program in it.
      return line.startsWith(`cd ${p}`) || line.includes(` cd ${p}`) ? p : posix.dirname(p);
    }
  }
  return null;
}
const SYSTEM_DIRS = /^\/(bin|sbin|usr|etc|lib|proc|sys|dev|tmp|var|run|boot)(\/|$)/;

/** What the old daemons knew about the board: hostname, device type, project folder. */
export async function readOldIdentity(fs: RootedFs): Promise<OldIdentity> {
  const hostname = (await fs.tryReadSmall("/etc/hostname", 256))?.trim() || null;
  let deviceType: string | null = null;
  let deviceDetails: string | null = null;
  const device = await fs.tryReadSmall(DEVICE_JSON_PATH, 8192);
  if (device !== null) {
    try {
      const r = deviceJsonSchema.safeParse(JSON.parse(device));
      if (r.success) {
        deviceType = deviceTypeName(r.data.device);
        deviceDetails = r.data.details ?? null;
      }
    } catch {
      // Half-written by the identification script: the agent reads it again at every beat.
    }
  }
  const rc = await fs.tryReadText(RC_LOCAL);
  return {
    hostname,
    epicsName: hostname ? hostname.replaceAll("--", ":") : null,
    deviceType,
    deviceDetails,
    projectDir: rc === null ? null : projectDirFromRcLocal(rc),
  };
}
