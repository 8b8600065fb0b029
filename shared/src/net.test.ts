import { describe, expect, it } from "vitest";
import { ipConfigSchema, netmaskToPrefix, parseCidr, parseIpv4, prefixToNetmask, firstHost } from "./net.js";

describe("IPv4 helpers", () => {
  it("parses dotted quads strictly", () => {
    expect(parseIpv4("10.128.10.5")).toBe(0x0a800a05);
    expect(parseIpv4("255.255.255.255")).toBe(0xffffffff);
    for (const bad of ["10.128.10", "10.128.10.256", "010.1.1.1", "1.2.3.4 ", "a.b.c.d", ""]) expect(parseIpv4(bad)).toBeNull();
  });
  it("converts netmasks and refuses non-contiguous ones", () => {
    expect(netmaskToPrefix("255.255.255.128")).toBe(25);
    expect(netmaskToPrefix("255.255.255.0")).toBe(24);
    expect(netmaskToPrefix("255.0.255.0")).toBeNull();
    expect(prefixToNetmask(27)).toBe("255.255.255.224");
  });
  it("parses CIDRs and yields the first host as gateway", () => {
    expect(parseCidr("10.128.10.128/25")).toEqual({ network: 0x0a800a80, prefix: 25 });
    expect(parseCidr("10.128.10.129/25")).toBeNull();
    expect(firstHost(parseCidr("10.128.75.32/27")!)).toBe("10.128.75.33");
  });
  it("validates manual IP configurations", () => {
    const ok = { mode: "manual", ip: "10.128.20.40", netmask: "255.255.255.0", gateway: "10.128.20.1" };
    expect(ipConfigSchema.safeParse(ok).success).toBe(true);
    expect(ipConfigSchema.safeParse({ mode: "dhcp" }).success).toBe(true);
    expect(ipConfigSchema.safeParse({ ...ok, gateway: "10.128.21.1" }).success).toBe(false);
    expect(ipConfigSchema.safeParse({ ...ok, ip: "10.128.20.0" }).success).toBe(false);
    expect(ipConfigSchema.safeParse({ ...ok, ip: "10.128.20.255" }).success).toBe(false);
    expect(ipConfigSchema.safeParse({ ...ok, netmask: "255.0.255.0" }).success).toBe(false);
    expect(ipConfigSchema.safeParse({ ...ok, extra: 1 }).success).toBe(false);
    expect(ipConfigSchema.safeParse({ mode: "static" }).success).toBe(false);
  });
});
