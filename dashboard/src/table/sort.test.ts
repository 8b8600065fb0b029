import { describe, expect, it } from "vitest";
import { hostView } from "../test-support/fixtures.js";
import { buildRows } from "./board-row.js";
import { sortRows } from "./sort.js";

const rows = buildRows(
  new Map([
    ["a1", hostView("a1", { state: "online", hb: { hostname: "Srv-10", ip: "10.128.30.100", tempC: 50 } })],
    ["a2", hostView("a2", { state: "lost", hb: { hostname: "Srv-2", ip: "10.128.30.9", tempC: undefined } })],
    ["a3", hostView("a3", { state: "misconfigured", hb: { hostname: "Srv-1", ip: "10.128.4.1", tempC: 40 } })],
  ]),
  new Map(),
);

describe("sortRows", () => {
  it("sorts hostnames in natural order", () => {
    expect(sortRows(rows, { key: "hostname", desc: false }).map((r) => r.hostname)).toEqual(["Srv-1", "Srv-2", "Srv-10"]);
    expect(sortRows(rows, { key: "hostname", desc: true }).map((r) => r.hostname)).toEqual(["Srv-10", "Srv-2", "Srv-1"]);
  });
  it("sorts states worst first and IPs numerically", () => {
    expect(sortRows(rows, { key: "state", desc: false }).map((r) => r.state)).toEqual(["lost", "misconfigured", "online"]);
    expect(sortRows(rows, { key: "ip", desc: false }).map((r) => r.ip)).toEqual(["10.128.4.1", "10.128.30.9", "10.128.30.100"]);
  });
  it("puts unknown numbers first ascending and last descending", () => {
    expect(sortRows(rows, { key: "tempC", desc: false }).map((r) => r.tempC)).toEqual([null, 40, 50]);
    expect(sortRows(rows, { key: "tempC", desc: true }).map((r) => r.tempC)).toEqual([50, 40, null]);
  });
});
