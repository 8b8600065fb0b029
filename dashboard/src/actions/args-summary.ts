import { hostnameToEpics } from "@bbb/shared";

/** One line of a confirmation: what the boards are told, in words. */
export interface SummaryLine {
  label: string;
  value: string;
}

/**
 * The confirmation step's readable summary of an action's arguments (the schema's fields named
 * as the forms name them), instead of the raw JSON sent.
 */
export function summarizeArgs(action: string, args: unknown): SummaryLine[] {
  const a = (args ?? {}) as Record<string, unknown>;
  const str = (k: string) => (typeof a[k] === "string" ? a[k] : "");
  switch (action) {
    case "set-ip":
      return a.mode === "manual"
        ? [
            { label: "Address", value: `${str("ip")} (manual)` },
            { label: "Netmask", value: str("netmask") },
            { label: "Gateway", value: str("gateway") },
          ]
        : [{ label: "Address", value: "from DHCP" }];
    case "set-hostname":
      return [{ label: "Hostname", value: `${hostnameToEpics(str("hostname"))} (written as ${str("hostname")})` }];
    case "set-nameservers":
      return [{ label: "Nameservers", value: Array.isArray(a.servers) ? a.servers.join(", ") : "" }];
    case "restart-service":
    case "stop-service":
      return [{ label: "Service", value: str("name") }];
    case "identify":
      return [{ label: "Blink for", value: typeof a.seconds === "number" ? `${a.seconds} s` : "the default time" }];
    case "sync-project":
      return [{ label: "Mode", value: a.dryRun === true ? "dry run (nothing changes)" : "apply the project" }];
    case "replace":
      return [{ label: "Spare board", value: str("spare") }];
    default:
      return [];
  }
}
