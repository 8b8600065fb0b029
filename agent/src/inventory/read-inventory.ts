import type { Inventory } from "@bbb/shared";
import type { RootedFs } from "../system/rooted-fs.js";

/** uEnv.txt settings that choose capes and overlays (BeagleBoard images' U-Boot overlay support). */
const UENV_KEYS =
  /^(uboot_overlay_\w+|dtb_overlay|enable_uboot_overlays|enable_uboot_cape_universal|disable_uboot_overlay_\w+|cape_\w+|dtb)=/;

/** Lines of /boot/uEnv.txt that pick capes or overlays and are not commented out. */
export function uEnvCapeLines(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line !== "" && !line.startsWith("#") && UENV_KEYS.test(line)) out.push(line.slice(0, 256));
  }
  return out.slice(0, 32);
}

const firstLine = (t: string | null, max: number): string | null => {
  const l = t?.split("\n")[0]?.trim();
  return l ? l.slice(0, max) : null;
};

/** Where U-Boot's applied overlays appear (absent when it applied none). */
export const BOOT_OVERLAYS_DIR = "/proc/device-tree/chosen/overlays";
/** Where overlays loaded at run time appear (absent without configfs or its overlay support). */
export const LIVE_OVERLAYS_DIR = "/sys/kernel/config/device-tree/overlays";

/**
 * The entries of a folder many boards do not have: its absence is the expected answer, found
 * by one synchronous stat, not by a failed readdir's ENOENT Error and stack at every poll.
 */
const entriesIfPresent = async (fs: RootedFs, dir: string): Promise<string[]> =>
  (await fs.exists(dir)) ? fs.readdir(dir) : [];

/**
 * Overlays the running kernel reports as applied: those U-Boot applied (properties under
 * /proc/device-tree/chosen/overlays, beside its `name`) and those loaded at run time through
 * configfs.
 */
async function appliedOverlays(fs: RootedFs): Promise<string[]> {
  const boot = (await entriesIfPresent(fs, BOOT_OVERLAYS_DIR)).filter((n) => n !== "name");
  const live = await entriesIfPresent(fs, LIVE_OVERLAYS_DIR);
  return [...new Set([...boot, ...live])]
    .sort()
    .slice(0, 32)
    .map((n) => n.slice(0, 128));
}

/** eMMC and SD cards: /sys/block/mmcblkN (size in 512-byte sectors, device/type MMC or SD). */
async function storage(fs: RootedFs): Promise<Inventory["storage"]> {
  const out: Inventory["storage"] = [];
  for (const name of (await fs.readdir("/sys/block")).filter((n) => /^mmcblk\d+$/.test(n)).sort()) {
    const sectors = Number((await fs.tryReadSmall(`/sys/block/${name}/size`, 64))?.trim());
    if (!Number.isFinite(sectors)) continue;
    const type = (await fs.tryReadSmall(`/sys/block/${name}/device/type`, 16))?.trim();
    out.push({ name, kind: type === "MMC" ? "emmc" : type === "SD" ? "sd" : "other", bytes: sectors * 512 });
  }
  return out.slice(0, 8);
}

/** What the board runs (docs/protocol.md §"Inventory"), read through the root prefix. */
export async function readInventory(
  fs: RootedFs,
  who: { id: string; agentVersion: string; nodeVersion: string; now: number },
): Promise<Inventory> {
  return {
    v: 1,
    id: who.id,
    ts: who.now,
    kernel: firstLine(await fs.tryReadSmall("/proc/sys/kernel/osrelease", 256), 128),
    image: firstLine(await fs.tryReadSmall("/etc/dogtag", 1024), 256),
    debian: firstLine(await fs.tryReadSmall("/etc/debian_version", 128), 64),
    overlays: await appliedOverlays(fs),
    uEnv: uEnvCapeLines((await fs.tryReadSmall("/boot/uEnv.txt", 16 * 1024)) ?? ""),
    node: who.nodeVersion.slice(0, 32),
    agent: who.agentVersion.slice(0, 32),
    storage: await storage(fs),
  };
}
