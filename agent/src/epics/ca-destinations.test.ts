import { describe, expect, it } from "vitest";
import { caDestinations } from "./ca-destinations.js";

describe("caDestinations", () => {
  const interfaces = {
    lo: [{ address: "127.0.0.1", netmask: "255.0.0.0", family: "IPv4" as const, internal: true, mac: "", cidr: null }],
    eth0: [
      { address: "10.0.38.46", netmask: "255.255.255.0", family: "IPv4" as const, internal: false, mac: "", cidr: null },
      { address: "fe80::1", netmask: "ffff:ffff:ffff:ffff::", family: "IPv6" as const, internal: false, mac: "", cidr: null, scopeid: 2 },
    ],
  };
  it("EPICS_CA_ADDR_LIST entries with the default or their own port, then the auto list", () => {
    expect(caDestinations({ addrList: ["10.0.0.5", "10.0.0.6:6064"], autoAddrList: true, serverPort: 5064, interfaces })).toEqual([
      { host: "10.0.0.5", port: 5064 },
      { host: "10.0.0.6", port: 6064 },
      { host: "127.0.0.1", port: 5064 },
      { host: "10.0.38.255", port: 5064 },
    ]);
  });
  it("EPICS_CA_AUTO_ADDR_LIST=NO: only the list", () => {
    expect(caDestinations({ addrList: ["127.0.0.1:7000"], autoAddrList: false, serverPort: 5064, interfaces })).toEqual([
      { host: "127.0.0.1", port: 7000 },
    ]);
  });
});
