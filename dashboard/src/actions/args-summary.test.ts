import { describe, expect, it } from "vitest";
import { summarizeArgs } from "./args-summary.js";

describe("summarizeArgs", () => {
  it("names every field of a set-ip in words", () => {
    expect(summarizeArgs("set-ip", { mode: "manual", ip: "10.128.20.21", netmask: "255.255.255.0", gateway: "10.128.20.1" })).toEqual([
      { label: "Address", value: "10.128.20.21 (manual)" },
      { label: "Netmask", value: "255.255.255.0" },
      { label: "Gateway", value: "10.128.20.1" },
    ]);
    expect(summarizeArgs("set-ip", { mode: "dhcp" })).toEqual([{ label: "Address", value: "from DHCP" }]);
  });

  it("shows a hostname in its EPICS form with what the board gets", () => {
    expect(summarizeArgs("set-hostname", { hostname: "SI-02RaCtrl--CO-Srv-1" })).toEqual([{ label: "Hostname", value: "SI-02RaCtrl:CO-Srv-1 (written as SI-02RaCtrl--CO-Srv-1)" }]);
  });

  it("covers the other actions and says nothing for a reboot", () => {
    expect(summarizeArgs("set-nameservers", { servers: ["10.0.0.71", "10.0.0.72"] })).toEqual([{ label: "Nameservers", value: "10.0.0.71, 10.0.0.72" }]);
    expect(summarizeArgs("identify", {})).toEqual([{ label: "Blink for", value: "the default time" }]);
    expect(summarizeArgs("stop-service", { name: "ioc.service" })).toEqual([{ label: "Service", value: "ioc.service" }]);
    expect(summarizeArgs("reboot", {})).toEqual([]);
  });
});
