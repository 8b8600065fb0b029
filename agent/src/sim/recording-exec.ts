import type { NetworkInterfaceInfo } from "node:os";
import { netmaskToPrefix, prefixToNetmask } from "@bbb/shared";
import { parseConnmanSettings } from "../backends/net/connman.js";
import { parseInterfaces } from "../backends/net/ifupdown.js";
import { NETWORKD_DIR, parseNetworkFile } from "../backends/net/networkd.js";
import type { NetState } from "../backends/net/types.js";
import type { Exec, ExecResult } from "../system/exec.js";
import { createRootedFs } from "../system/rooted-fs.js";

export interface SimBoardState {
  mac: string;
  hostname: string;
  ip: string;
  netmask: string;
  gateway: string;
  dhcp: boolean;
  services: Record<string, string>;
  reboots: number;
}

export interface RecordingExecOptions {
  /** Fake root whose files the tools "see" (connman settings, .network, interfaces). */
  root?: string;
  mac: string;
  hostname?: string;
  ip: string;
  netmask?: string;
  gateway?: string;
  /** Answer some argv differently (failures in tests); undefined = default behaviour. */
  override?: (argv: readonly string[]) => ExecResult | undefined;
  onReboot?: () => void;
}

const ok = (stdout = ""): ExecResult => ({ exitCode: 0, stdout, stderr: "" });
const fail = (code: number, stderr: string): ExecResult => ({ exitCode: code, stdout: "", stderr });

/**
 * An exec for a simulated board: records every argv and answers like the real tools
 * (`connmanctl services`, `ip -j addr`, `systemctl is-active`, …), keeping the board's live
 * address in memory, so commands "succeed" without touching this machine.
 */
export function createRecordingExec(opts: RecordingExecOptions) {
  const calls: string[][] = [];
  const macHex = opts.mac.toLowerCase().replaceAll(":", "");
  const svc = `ethernet_${macHex}_cable`;
  const state: SimBoardState = {
    mac: opts.mac.toLowerCase(),
    hostname: opts.hostname ?? "",
    ip: opts.ip,
    netmask: opts.netmask ?? "255.255.255.0",
    gateway: opts.gateway ?? opts.ip.replace(/\.\d+$/, ".1"),
    dhcp: false,
    services: {},
    reboots: 0,
  };
  const restarts = new Map<string, number>();
  const dhcpLease = { ip: state.ip, netmask: state.netmask, gateway: state.gateway };
  const fs = opts.root ? createRootedFs(opts.root) : null;

  const adopt = (s: NetState) => {
    if (s.mode === "dhcp") {
      Object.assign(state, dhcpLease, { dhcp: true });
    } else if (s.mode === "manual" && s.ip) {
      state.ip = s.ip;
      state.netmask = s.netmask ?? state.netmask;
      state.gateway = s.gateway ?? state.gateway;
      state.dhcp = false;
    }
  };

  const connman = async (args: string[]): Promise<ExecResult> => {
    if (args[0] === "services")
      return ok(`*AO Wired                ${svc}\n    Guest                wifi_000000000000_guest_managed_psk\n`);
    if (args[0] !== "config" || args[1] !== svc) return fail(1, "Error: invalid service\n");
    const settingsPath = `/var/lib/connman/${svc}/settings`;
    const prev = fs ? ((await fs.tryReadText(settingsPath)) ?? `[${svc}]\n`) : `[${svc}]\n`;
    let kept = prev.split("\n").filter((l) => l !== "");
    const set = (key: string, value: string | null) => {
      kept = kept.filter((l) => !l.startsWith(`${key}=`));
      if (value !== null) kept.push(`${key}=${value}`);
    };
    if (args[2] === "--ipv4" && args[3] === "dhcp") {
      ["IPv4.netmask_prefixlen", "IPv4.local_address", "IPv4.gateway"].forEach((k) => set(k, null));
      set("IPv4.method", "dhcp");
    } else if (args[2] === "--ipv4" && args[3] === "manual" && args.length === 7) {
      set("IPv4.method", "manual");
      set("IPv4.netmask_prefixlen", String(netmaskToPrefix(args[5] ?? "") ?? 24));
      set("IPv4.local_address", args[4] ?? "");
      set("IPv4.gateway", args[6] ?? "");
    } else if (args[2] === "--nameservers") {
      set(
        "Nameservers",
        args
          .slice(3)
          .map((s) => `${s};`)
          .join(""),
      );
    } else return fail(1, "Error: invalid argument\n");
    const text = kept.join("\n") + "\n";
    if (fs) await fs.writeAtomic(settingsPath, text);
    adopt(parseConnmanSettings(text));
    return ok();
  };

  const ip = (args: string[]): ExecResult => {
    const j = args[0] === "-j";
    const a = j ? args.slice(2) : args;
    if (a[0] === "addr" && a[1] === "show") {
      const info = state.ip
        ? [
            {
              family: "inet",
              local: state.ip,
              prefixlen: netmaskToPrefix(state.netmask) ?? 24,
              ...(state.dhcp ? { dynamic: true } : {}),
            },
          ]
        : [];
      return ok(JSON.stringify([{ ifindex: 2, ifname: "eth0", addr_info: info }]));
    }
    if (a[0] === "route" && a[1] === "show")
      return ok(JSON.stringify(state.gateway ? [{ dst: "default", gateway: state.gateway, dev: "eth0" }] : []));
    if (a[0] === "addr" && a[1] === "flush") {
      state.ip = "";
      state.gateway = "";
      return ok();
    }
    if (a[0] === "addr" && a[1] === "add") {
      const [addr, len] = (a[2] ?? "").split("/");
      state.ip = addr ?? "";
      state.netmask = prefixToNetmask(Number(len ?? 24));
      state.dhcp = false;
      return ok();
    }
    if (a[0] === "route" && a[1] === "replace") {
      state.gateway = a[4] ?? "";
      return ok();
    }
    return fail(1, "Object unknown\n");
  };

  const exec: Exec = async (file, args) => {
    const argv = [file, ...args];
    calls.push(argv);
    const o = opts.override?.(argv);
    if (o) return o;
    const a = [...args];
    switch (file) {
      case "connmanctl":
        return connman(a);
      case "ip":
        return ip(a);
      case "networkctl":
        if (a[0] === "reconfigure" && fs) {
          const names = (await fs.readdir(NETWORKD_DIR)).filter((n) => n.endsWith(".network")).sort();
          for (const n of names) {
            const t = await fs.tryReadText(`${NETWORKD_DIR}/${n}`);
            if (t && /Name=.*eth0/.test(t)) {
              adopt(parseNetworkFile(t));
              break;
            }
          }
        }
        return ok();
      case "ifdown":
        return ok();
      case "ifup":
        if (fs) adopt(parseInterfaces((await fs.tryReadText("/etc/network/interfaces")) ?? "", a[0] ?? "eth0"));
        return ok();
      case "systemd-run": {
        // `systemd-run [options] -- argv…` runs argv as a transient unit; here: just argv.
        const sep = a.indexOf("--");
        const [inner, ...rest] = sep >= 0 ? a.slice(sep + 1) : [];
        if (!inner) return fail(1, "systemd-run: no command given\n");
        // Recorded twice: the systemd-run argv, then the program it ran.
        return exec(inner, rest);
      }
      case "hostname":
        if (a[0]) state.hostname = a[0];
        return ok();
      case "systemctl":
        if (a[0] === "is-active")
          return {
            exitCode: 0,
            stdout: a
              .slice(1)
              .map((u) => `${state.services[u] ?? "active"}\n`)
              .join(""),
            stderr: "",
          };
        if (a[0] === "show" && a[1]) {
          // The IOC check's `systemctl show UNIT --property=…` (epics/ioc-service.ts).
          const st = state.services[a[1]] ?? "active";
          const n = restarts.get(a[1]) ?? 0;
          return ok(`ActiveState=${st}\nSubState=${st === "active" ? "running" : "dead"}\nNRestarts=${n}\nMainPID=${st === "active" ? 1000 + n : 0}\n`);
        }
        if (a[0] === "restart" && a[1]) {
          restarts.set(a[1], (restarts.get(a[1]) ?? 0) + 1);
          state.services[a[1]] = "active";
          return ok();
        }
        if (a[0] === "stop" && a[1]) {
          state.services[a[1]] = "inactive";
          return ok();
        }
        // `--no-block` only changes whether systemctl waits for the job (backends/systemd.ts).
        if (a[0] === "--no-block") a.shift();
        if (a[0] === "reboot") {
          state.reboots++;
          opts.onReboot?.();
          return ok();
        }
        return fail(1, `Unknown command verb ${a[0] ?? ""}.\n`);
      default:
        return fail(127, `${file}: not available on a simulated board\n`);
    }
  };

  return {
    exec,
    calls,
    state,
    /** os.networkInterfaces()-shaped view of the simulated eth0. */
    interfaces: (): NodeJS.Dict<NetworkInterfaceInfo[]> => {
      if (!state.ip) return { eth0: [] };
      const prefix = netmaskToPrefix(state.netmask) ?? 24;
      return {
        eth0: [
          {
            address: state.ip,
            netmask: state.netmask,
            family: "IPv4",
            mac: state.mac,
            internal: false,
            cidr: `${state.ip}/${prefix}`,
          },
        ],
      };
    },
  };
}
export type RecordingExec = ReturnType<typeof createRecordingExec>;
