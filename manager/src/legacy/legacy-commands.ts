import type { ActionName, IpConfig } from "@bbb/shared";
import { DAEMON_CODES } from "./daemon-frame.js";

/** What a legacy board can be asked, and how to tell it was done (docs/legacy-protocols.md "Commands"). */
export type LegacyCommand =
  | { action: "reboot" }
  | { action: "set-ip"; ip: IpConfig }
  | { action: "set-hostname"; hostname: string }
  | { action: "set-nameservers"; servers: [string, string] }
  | { action: "restart-service" | "stop-service"; name: string };

export type Refusal = { refused: string };

/** Actions each legacy daemon takes; everything else is refused with MGR_E_LEGACY_UNSUPPORTED. */
export const LEGACY_ACTIONS = {
  bbbread: ["reboot", "set-ip", "set-hostname", "set-nameservers", "restart-service", "stop-service"],
  "bbb-daemon": ["reboot", "set-ip", "set-hostname", "set-nameservers"],
} as const satisfies Record<string, readonly ActionName[]>;

/** Arguments are already valid for our action (shared schemas); here only what the daemon cannot say is refused. */
export function toLegacyCommand(
  kind: keyof typeof LEGACY_ACTIONS,
  action: ActionName,
  args: unknown,
): LegacyCommand | Refusal {
  if (!(LEGACY_ACTIONS[kind] as readonly string[]).includes(action))
    return { refused: `${kind} boards cannot do ${action}: install bbb-agent on the board first (docs/migration.md)` };
  const a = (args ?? {}) as Record<string, unknown>;
  switch (action) {
    case "reboot":
      return { action };
    case "set-ip":
      return { action, ip: args as IpConfig };
    case "set-hostname":
      return { action, hostname: String(a.hostname) };
    case "set-nameservers": {
      const s = a.servers as string[];
      // Both daemons take exactly two servers (connman's primary and secondary).
      if (s.length !== 2) return { refused: `${kind} takes exactly two nameservers, got ${s.length}` };
      return { action, servers: [s[0] ?? "", s[1] ?? ""] };
    }
    case "restart-service":
    case "stop-service":
      return { action, name: String(a.name) };
    case "apply-node":
    case "identify":
    case "ping":
    case "sync-project":
      return { refused: `${kind} boards cannot do ${action}` };
  }
}

/** The `…:Command` list entry of bbbread: `<code>;<arg>;…`. */
export function bbbreadCommand(c: LegacyCommand): string {
  switch (c.action) {
    case "reboot":
      return "1";
    case "set-ip":
      return c.ip.mode === "dhcp" ? "17;dhcp" : `17;manual;${c.ip.ip};${c.ip.netmask};${c.ip.gateway}`;
    case "set-hostname":
      return `18;${c.hostname}`;
    case "set-nameservers":
      return `19;${c.servers[0]};${c.servers[1]}`;
    case "restart-service":
      return `20;${c.name}`;
    case "stop-service":
      return `21;${c.name}`;
  }
}

/** bbb-daemon's code and string arguments, or null for what it cannot do. */
export function daemonCommand(c: LegacyCommand): { code: number; args: string[] } | null {
  switch (c.action) {
    case "reboot":
      return { code: DAEMON_CODES.reboot, args: [] };
    case "set-ip":
      return {
        code: DAEMON_CODES["set-ip"],
        args: c.ip.mode === "dhcp" ? ["dhcp"] : ["manual", c.ip.ip, c.ip.netmask, c.ip.gateway],
      };
    case "set-hostname":
      return { code: DAEMON_CODES["set-hostname"], args: [c.hostname] };
    case "set-nameservers":
      return { code: DAEMON_CODES["set-nameservers"], args: [...c.servers] };
    case "restart-service":
    case "stop-service":
      return null;
  }
}
