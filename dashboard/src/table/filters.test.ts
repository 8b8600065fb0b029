import { describe, expect, it } from "vitest";
import { hostView, nodeView } from "../test-support/fixtures.js";
import { buildRows } from "./board-row.js";
import { emptyFilter, facetCounts, filterRows, toggleValue, NONE } from "./filters.js";

const hosts = new Map([
  ["a1", hostView("a1", { sector: "3", hb: { hostname: "LA-RaCtrl--CO-Srv-1", ip: "10.128.30.11", type: "mbtemp", pvPrefix: "LA-CN:DI-MBTemp-1" } })],
  ["a2", hostView("a2", { sector: "3", state: "lost", hb: { hostname: "LA-RaCtrl--CO-Srv-2", ip: "10.128.30.12", type: "power-supply", ipMode: "dhcp" } })],
  ["a3", hostView("a3", { sector: "5", state: "misconfigured", problems: [{ code: "mismatch", field: "ip", expected: "x", actual: "y", message: "m" }], hb: { hostname: "BO-Srv-9", ip: "10.128.50.9" } })],
]);
const nodes = new Map([["SI-Spare", nodeView("SI-Spare", "missing", { sector: "5" })]]);
const rows = buildRows(hosts, nodes);

describe("filters", () => {
  it("builds one row per board plus one per node without a board", () => {
    expect(rows.map((r) => r.key)).toEqual(["a1", "a2", "a3", "node:SI-Spare"]);
    expect(rows[0]?.epics).toBe("LA-RaCtrl:CO-Srv-1");
  });

  it("filters by facets (OR within a facet, AND across facets)", () => {
    const f = { ...emptyFilter(), sector: ["3"], state: ["lost", "online"] };
    expect(filterRows(rows, f).map((r) => r.key)).toEqual(["a1", "a2"]);
    expect(filterRows(rows, { ...f, type: ["power-supply"] }).map((r) => r.key)).toEqual(["a2"]);
    expect(filterRows(rows, { ...emptyFilter(), problem: ["mismatch"] }).map((r) => r.key)).toEqual(["a3"]);
    expect(filterRows(rows, { ...emptyFilter(), ipMode: ["dhcp"] }).map((r) => r.key)).toEqual(["a2", "node:SI-Spare"]);
  });

  it("searches hostname (both forms), IP, board id and PV prefix, every term must match", () => {
    const q = (s: string) => filterRows(rows, { ...emptyFilter(), q: s }).map((r) => r.key);
    expect(q("CO-Srv-1")).toEqual(["a1"]);
    expect(q("ractrl:co")).toEqual(["a1", "a2"]);
    expect(q("10.128.50")).toEqual(["a3"]);
    expect(q("a2")).toEqual(["a2"]);
    expect(q("mbtemp-1")).toEqual(["a1"]);
    expect(q("srv 9")).toEqual(["a3"]);
  });

  it("counts each facet over the rows passing the other facets", () => {
    const c = facetCounts(rows, { ...emptyFilter(), state: ["lost"] });
    // The state facet ignores its own selection...
    expect(Object.fromEntries(c.state)).toEqual({ online: 1, lost: 1, misconfigured: 1, missing: 1 });
    // ...the others count only lost boards.
    expect(Object.fromEntries(c.sector)).toEqual({ "3": 1 });
    expect(Object.fromEntries(c.problem)).toEqual({ [NONE]: 1 });
  });

  it("toggles a facet value on and off", () => {
    const f = toggleValue(emptyFilter(), "sector", "3");
    expect(f.sector).toEqual(["3"]);
    expect(toggleValue(f, "sector", "3").sector).toEqual([]);
  });
});
