import { z } from "zod";

/** Dotted-quad IPv4 parsing and subnet arithmetic, without node: imports (also used in the browser). */
export function parseIpv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i] ?? "";
    if (part.length > 1 && part.startsWith("0")) return null;
    const o = Number(part);
    if (o > 255) return null;
    n = n * 256 + o;
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Prefix length of a contiguous netmask, or null when the mask is not contiguous. */
export function netmaskToPrefix(mask: string): number | null {
  const n = parseIpv4(mask);
  if (n === null) return null;
  const inv = ~n >>> 0;
  if ((inv & (inv + 1)) !== 0) return null;
  return 32 - Math.log2(inv + 1);
}

export function prefixToNetmask(prefix: number): string {
  return formatIpv4(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

export interface Cidr {
  network: number;
  prefix: number;
}

export function parseCidr(s: string): Cidr | null {
  const [addr, len, extra] = s.split("/");
  if (addr === undefined || len === undefined || extra !== undefined || !/^\d{1,2}$/.test(len)) return null;
  const ip = parseIpv4(addr);
  const prefix = Number(len);
  if (ip === null || prefix > 32) return null;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((ip & mask) >>> 0 !== ip) return null;
  return { network: ip, prefix };
}

export function cidrContains(c: Cidr, ip: number): boolean {
  const mask = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
  return (ip & mask) >>> 0 === c.network;
}

export function networkOf(ip: number, prefix: number): number {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (ip & mask) >>> 0;
}

/** Gateway convention of the fleet: the subnet's first address. */
export function firstHost(c: Cidr): string {
  return formatIpv4(c.prefix >= 31 ? c.network : c.network + 1);
}

export const ipv4Schema = z.string().refine((s) => parseIpv4(s) !== null, "not a dotted-quad IPv4 address");
export const netmaskSchema = z
  .string()
  .refine((s) => {
    const p = netmaskToPrefix(s);
    return p !== null && p >= 8 && p <= 30;
  }, "netmask: contiguous, /8 to /30");
export const cidrSchema = z.string().refine((s) => parseCidr(s) !== null, "not an IPv4 CIDR such as 10.128.10.0/25");

/** A manual IPv4 configuration whose address and gateway lie in the same subnet. */
export const manualIpSchema = z
  .object({ mode: z.literal("manual"), ip: ipv4Schema, netmask: netmaskSchema, gateway: ipv4Schema })
  .strict()
  .superRefine((v, ctx) => {
    const ip = parseIpv4(v.ip);
    const gw = parseIpv4(v.gateway);
    const prefix = netmaskToPrefix(v.netmask);
    if (ip === null || gw === null || prefix === null) return;
    const net = networkOf(ip, prefix);
    const broadcast = (net | (~(0xffffffff << (32 - prefix)) >>> 0)) >>> 0;
    if (ip === net || ip === broadcast) {
      ctx.addIssue({ code: "custom", path: ["ip"], message: "ip is the network or broadcast address of its subnet" });
    }
    if (networkOf(gw, prefix) !== net) {
      ctx.addIssue({ code: "custom", path: ["gateway"], message: "gateway is not in the subnet of ip/netmask" });
    }
    if (gw === ip) ctx.addIssue({ code: "custom", path: ["gateway"], message: "gateway equals ip" });
  });
export const ipConfigSchema = z.union([z.object({ mode: z.literal("dhcp") }).strict(), manualIpSchema]);
export type IpConfig = z.infer<typeof ipConfigSchema>;
