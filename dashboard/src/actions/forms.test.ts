import { defaultSectors } from "@bbb/shared";
import { describe, expect, it } from "vitest";
import { checkIdentify, checkService, checkSetHostname, checkSetIp, checkSetNameservers, followIp, prefillSetIp } from "./forms.js";

const sectors = defaultSectors();

describe("set-IP form", () => {
  it("pre-fills the sector's netmask and gateway (first address of the subnet)", () => {
    expect(prefillSetIp("10.128.10.200", sectors)).toEqual({ mode: "manual", ip: "10.128.10.200", netmask: "255.255.255.128", gateway: "10.128.10.129" });
    expect(prefillSetIp("10.128.75.40", sectors)).toMatchObject({ netmask: "255.255.255.224", gateway: "10.128.75.33" });
    expect(prefillSetIp("192.168.1.5", sectors)).toMatchObject({ netmask: "", gateway: "" });
  });

  it("follows the subnet when the address moves, unless netmask/gateway were typed by hand", () => {
    const f = prefillSetIp("10.128.30.5", sectors);
    expect(followIp({ ...f, ip: "10.128.1.200" }, f.ip, sectors)).toMatchObject({ netmask: "255.255.255.128", gateway: "10.128.1.129" });
    const typed = { ...f, gateway: "10.128.30.254" };
    expect(followIp({ ...typed, ip: "10.128.1.200" }, typed.ip, sectors).gateway).toBe("10.128.30.254");
  });

  it("validates with the shared schema: subnet, gateway, network and broadcast addresses", () => {
    expect(checkSetIp({ mode: "manual", ip: "10.128.30.5", netmask: "255.255.255.0", gateway: "10.128.30.1" })).toEqual({
      ok: true, args: { mode: "manual", ip: "10.128.30.5", netmask: "255.255.255.0", gateway: "10.128.30.1" },
    });
    const bad = checkSetIp({ mode: "manual", ip: "10.128.30.5", netmask: "255.255.255.0", gateway: "10.128.31.1" });
    expect(bad.ok ? null : bad.errors.gateway).toMatch(/subnet/);
    const bcast = checkSetIp({ mode: "manual", ip: "10.128.30.255", netmask: "255.255.255.0", gateway: "10.128.30.1" });
    expect(bcast.ok ? null : bcast.errors.ip).toMatch(/broadcast/);
    const mask = checkSetIp({ mode: "manual", ip: "10.128.30.5", netmask: "255.0.255.0", gateway: "10.128.30.1" });
    expect(mask.ok ? null : mask.errors.netmask).toMatch(/contiguous/);
    expect(checkSetIp({ mode: "dhcp", ip: "junk", netmask: "", gateway: "" })).toEqual({ ok: true, args: { mode: "dhcp" } });
  });
});

describe("other action forms", () => {
  it("takes the EPICS form of a hostname and writes the hostname form", () => {
    const r = checkSetHostname("LA-RaCtrl:CO-Srv-1");
    expect(r).toMatchObject({ ok: true, args: { hostname: "LA-RaCtrl--CO-Srv-1" }, epics: "LA-RaCtrl:CO-Srv-1" });
    expect(checkSetHostname("bad host").ok).toBe(false);
  });
  it("checks nameservers, services and identify seconds", () => {
    expect(checkSetNameservers("10.0.0.71, 10.0.0.72")).toEqual({ ok: true, args: { servers: ["10.0.0.71", "10.0.0.72"] } });
    expect(checkSetNameservers("10.0.0.71 10.0.0.72 10.0.0.73 10.0.0.74").ok).toBe(false);
    expect(checkSetNameservers("").ok).toBe(false);
    expect(checkService("bbb-function").ok).toBe(true);
    expect(checkService("rm -rf /").ok).toBe(false);
    expect(checkIdentify("")).toEqual({ ok: true, args: {} });
    expect(checkIdentify("30")).toEqual({ ok: true, args: { seconds: 30 } });
    // What v-model gives once the operator has typed into the number field.
    expect(checkIdentify(45)).toEqual({ ok: true, args: { seconds: 45 } });
    expect(checkIdentify(0).ok).toBe(false);
    expect(checkIdentify("9999").ok).toBe(false);
  });
});
