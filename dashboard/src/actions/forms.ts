import {
  buildSectorIndex,
  firstHost,
  hostnameToEpics,
  prefixToNetmask,
  serviceArgsSchema,
  setHostnameArgsSchema,
  setIpArgsSchema,
  setNameserversArgsSchema,
  identifyArgsSchema,
  type IpConfig,
  type Sector,
} from "@bbb/shared";
import type { z } from "zod";

/** Form validation result: the args to send, or a message per field. */
export type Checked<T> = { ok: true; args: T } | { ok: false; errors: Record<string, string> };

function check<S extends z.ZodType>(schema: S, value: unknown): Checked<z.output<S>> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, args: r.data };
  const errors: Record<string, string> = {};
  for (const i of r.error.issues) {
    const k = i.path.length > 0 ? String(i.path[0]) : "form";
    errors[k] ??= i.message;
  }
  return { ok: false, errors };
}

export interface SetIpForm {
  mode: "dhcp" | "manual";
  ip: string;
  netmask: string;
  gateway: string;
}

/**
 * Netmask and gateway of the subnet an address lies in, from the sector table (the
 * fleet's convention: the gateway is the network's first address), or null outside every listed subnet.
 */
export function subnetDefaults(ip: string, sectors: readonly Sector[]): { netmask: string; gateway: string; sector: string | null } | null {
  const idx = buildSectorIndex(sectors);
  const cidr = idx.cidrOf(ip.trim());
  if (!cidr) return null;
  return { netmask: prefixToNetmask(cidr.prefix), gateway: firstHost(cidr), sector: idx.sectorOf(ip.trim()) };
}

/** The set-IP form for a board currently at `ip`: manual, with its sector's netmask and gateway. */
export function prefillSetIp(ip: string, sectors: readonly Sector[]): SetIpForm {
  const d = subnetDefaults(ip, sectors);
  return { mode: "manual", ip, netmask: d?.netmask ?? "", gateway: d?.gateway ?? "" };
}

/** After the operator edits the address: follow the new subnet unless netmask/gateway were typed by hand. */
export function followIp(form: SetIpForm, prevIp: string, sectors: readonly Sector[]): SetIpForm {
  const before = subnetDefaults(prevIp, sectors);
  const after = subnetDefaults(form.ip, sectors);
  if (!after) return form;
  const auto = !before || (form.netmask === before.netmask && form.gateway === before.gateway) || (form.netmask === "" && form.gateway === "");
  return auto ? { ...form, netmask: after.netmask, gateway: after.gateway } : form;
}

export function checkSetIp(form: SetIpForm): Checked<IpConfig> {
  const value = form.mode === "dhcp" ? { mode: "dhcp" } : { mode: "manual", ip: form.ip.trim(), netmask: form.netmask.trim(), gateway: form.gateway.trim() };
  return check(setIpArgsSchema, value);
}

/** Accepts the EPICS form (`LA-RaCtrl:CO-Srv-1`) or the hostname form; the schema writes `--`. */
export function checkSetHostname(input: string): Checked<{ hostname: string }> & { epics?: string } {
  const r = check(setHostnameArgsSchema, { hostname: input.trim() });
  return r.ok ? { ...r, epics: hostnameToEpics(r.args.hostname) } : r;
}

export function parseServerList(text: string): string[] {
  return text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
}

export function checkSetNameservers(text: string): Checked<{ servers: string[] }> {
  return check(setNameserversArgsSchema, { servers: parseServerList(text) });
}

export function checkService(name: string): Checked<{ name: string }> {
  return check(serviceArgsSchema, { name: name.trim() });
}

/** `seconds` comes from an `<input type="number">`, which Vue's v-model turns into a number once typed in. */
export function checkIdentify(seconds: string | number): Checked<{ seconds?: number | undefined }> {
  const s = String(seconds).trim();
  return check(identifyArgsSchema, s === "" ? {} : { seconds: Number(s) });
}
