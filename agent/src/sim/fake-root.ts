import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { netmaskToPrefix } from "@bbb/shared";
import { BBB_LEDS } from "../backends/leds.js";
import { tempRoots } from "./temp-roots.js";

export type FakeNetLayout = "connman" | "networkd" | "ifupdown" | "none";

export interface FakeRootOptions {
  /** Directory to fill; default: a new temp directory. */
  dir?: string;
  /** eth0 MAC, `aa:bb:...`; default derived from `index`. */
  mac?: string;
  /** Seeds the default MAC, hostname and IP of the n-th simulated board. */
  index?: number;
  hostname?: string;
  ip?: string;
  netmask?: string;
  gateway?: string;
  ipMode?: "dhcp" | "manual";
  nameservers?: string[];
  layout?: FakeNetLayout;
  /** /opt/device.json content; null = no file. */
  device?: { device: number; details?: string; baudrate?: number } | null;
  uptimeS?: number;
  /** Whether timesyncd says the clock is synchronised (its flag file); default true. */
  timeSynced?: boolean;
  /** What the inventory reports (docs/protocol.md §"Inventory"). */
  kernel?: string;
  dogtag?: string;
  debianVersion?: string;
  overlays?: string[];
}

export interface FakeRoot {
  root: string;
  mac: string;
  boardId: string;
  stateDir: string;
  options: Required<Omit<FakeRootOptions, "dir" | "device">> & { device: FakeRootOptions["device"] };
  /** Rewrites /opt/device.json (as the identification script would). */
  writeDevice(device: { device: number; details?: string }): Promise<void>;
  cleanup(): Promise<void>;
}

export function simMac(index: number): string {
  const b = [0xa0, 0xf6, 0xfd, (index >> 16) & 255, (index >> 8) & 255, index & 255];
  return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/**
 * A fake root of one simulated board: the /proc, /sys, /etc and /opt files the agent reads and a
 * network layout like a Debian 10 (connman), 11/12 (networkd) or ifupdown image.
 * Used by tests, the demo and the simulator; nothing outside `root` is touched.
 */
export async function createFakeRoot(opts: FakeRootOptions = {}): Promise<FakeRoot> {
  const index = opts.index ?? 1;
  const root = opts.dir ?? (await fsp.mkdtemp(path.join(os.tmpdir(), "bbb-fakeroot-")));
  if (opts.dir === undefined) tempRoots().add(root);
  const o = {
    index,
    mac: opts.mac ?? simMac(index),
    hostname: opts.hostname ?? `sim-bbb-${String(index).padStart(4, "0")}`,
    ip: opts.ip ?? `10.128.${1 + (Math.floor(index / 250) % 250)}.${2 + (index % 250)}`,
    netmask: opts.netmask ?? "255.255.255.0",
    gateway: opts.gateway ?? "",
    ipMode: opts.ipMode ?? "manual",
    nameservers: opts.nameservers ?? ["10.0.0.71", "10.0.0.72"],
    layout: opts.layout ?? "connman",
    uptimeS: opts.uptimeS ?? 3600 + index,
    timeSynced: opts.timeSynced ?? true,
    kernel: opts.kernel ?? "5.10.168-ti-r71",
    dogtag: opts.dogtag ?? "BeagleBoard.org Debian Bullseye IoT Image 2023-09-02",
    debianVersion: opts.debianVersion ?? "11.8",
    overlays: opts.overlays ?? ["BB-UART1-00A0"],
    device:
      opts.device === undefined ? { device: 4, details: "MBTemps connected [1, 2]", baudrate: 115200 } : opts.device,
  };
  if (!o.gateway) o.gateway = o.ip.replace(/\.\d+$/, ".1");
  const macHex = o.mac.toLowerCase().replaceAll(":", "");
  const put = async (p: string, text: string) => {
    const full = path.join(root, p);
    await fsp.mkdir(path.dirname(full), { recursive: true });
    await fsp.writeFile(full, text);
  };
  await put("/proc/uptime", `${o.uptimeS}.42 ${o.uptimeS * 0.9}\n`);
  await put("/proc/loadavg", "0.12 0.08 0.05 1/93 1234\n");
  await put(
    "/proc/meminfo",
    "MemTotal:         496880 kB\nMemFree:          212340 kB\nMemAvailable:     371204 kB\nBuffers:           12440 kB\nCached:           141200 kB\n",
  );
  await put("/sys/class/thermal/thermal_zone0/temp", "47250\n");
  await put("/sys/class/net/eth0/address", `${o.mac}\n`);
  if (o.timeSynced) await put("/run/systemd/timesync/synchronized", "");
  await put("/proc/sys/kernel/osrelease", `${o.kernel}\n`);
  await put("/etc/dogtag", `${o.dogtag}\n`);
  await put("/etc/debian_version", `${o.debianVersion}\n`);
  await put("/proc/device-tree/chosen/overlays/name", "overlays\0");
  for (const ov of o.overlays) await put(`/proc/device-tree/chosen/overlays/${ov}`, "Tue Sep  5 12:00:00 2023\0");
  await put(
    "/boot/uEnv.txt",
    `uname_r=${o.kernel}\nenable_uboot_overlays=1\n${o.overlays.map((ov, i) => `uboot_overlay_addr${i}=${ov}.dtbo\n`).join("")}#uboot_overlay_addr4=BB-SPIDEV0-00A0.dtbo\n`,
  );
  // The BBB's 4 GB eMMC (mmcblk1; mmcblk0 is the SD slot, empty here).
  await put("/sys/block/mmcblk1/size", "7471104\n");
  await put("/sys/block/mmcblk1/device/type", "MMC\n");
  await put("/etc/hostname", `${o.hostname}\n`);
  await put(
    "/etc/hosts",
    `127.0.0.1\tlocalhost\n127.0.1.1\t${o.hostname}\n\n::1\t\tlocalhost ip6-localhost ip6-loopback\n`,
  );
  await put("/etc/resolv.conf", o.nameservers.map((n) => `nameserver ${n}`).join("\n") + "\n");
  for (const led of BBB_LEDS) {
    const def = led.endsWith("usr0") ? "heartbeat" : led.endsWith("usr1") ? "mmc0" : "none";
    await put(
      `/sys/class/leds/${led}/trigger`,
      `none kbd-scrolllock timer oneshot ${def === "none" ? "[none]" : `[${def}]`} default-on\n`,
    );
    await put(`/sys/class/leds/${led}/brightness`, "0\n");
  }
  if (o.device) await put("/opt/device.json", JSON.stringify({ ...o.device, time: "2026-11-25 08:00:00" }));
  const prefix = netmaskToPrefix(o.netmask) ?? 24;
  if (o.layout === "connman") {
    await put("/usr/sbin/connmand", "");
    const svc = `ethernet_${macHex}_cable`;
    const ipPart =
      o.ipMode === "manual"
        ? `IPv4.method=manual\nIPv4.netmask_prefixlen=${prefix}\nIPv4.local_address=${o.ip}\nIPv4.gateway=${o.gateway}\n`
        : "IPv4.method=dhcp\n";
    await put(
      `/var/lib/connman/${svc}/settings`,
      `[${svc}]\nName=Wired\nAutoConnect=true\n${ipPart}IPv6.method=off\nNameservers=${o.nameservers.join(";")};\n`,
    );
  } else if (o.layout === "networkd") {
    await put("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service", "");
    const net = o.ipMode === "manual" ? `Address=${o.ip}/${prefix}\nGateway=${o.gateway}\n` : "DHCP=ipv4\n";
    await put(
      "/etc/systemd/network/eth0.network",
      `[Match]\nName=eth0\n\n[Network]\n${net}${o.nameservers.map((n) => `DNS=${n}\n`).join("")}`,
    );
  } else if (o.layout === "ifupdown") {
    const st =
      o.ipMode === "manual"
        ? `iface eth0 inet static\n    address ${o.ip}\n    netmask ${o.netmask}\n    gateway ${o.gateway}\n`
        : "iface eth0 inet dhcp\n";
    await put(
      "/etc/network/interfaces",
      `source-directory /etc/network/interfaces.d\n\nauto lo\niface lo inet loopback\n\nauto eth0\n${st}`,
    );
  }
  const stateDir = path.join(root, "var/lib/bbb-agent");
  await fsp.mkdir(stateDir, { recursive: true });
  return {
    root,
    mac: o.mac,
    boardId: macHex,
    stateDir,
    options: o,
    writeDevice: (d) => put("/opt/device.json", JSON.stringify({ ...d, time: new Date().toISOString() })),
    cleanup: async () => {
      await fsp.rm(root, { recursive: true, force: true });
      tempRoots().delete(root);
    },
  };
}
