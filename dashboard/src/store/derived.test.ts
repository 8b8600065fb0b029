import { describe, expect, it } from "vitest";
import { hostView, nodeView } from "../test-support/fixtures.js";
import { aggregate } from "./derived.js";

describe("aggregate", () => {
  it("counts boards and board-less nodes per sector and state, sectors in alarm first", () => {
    const hosts = new Map([
      ["a1", hostView("a1", { sector: "1" })],
      ["a2", hostView("a2", { sector: "2", state: "lost" })],
      ["a3", hostView("a3", { sector: "2" })],
    ]);
    const nodes = new Map([["n1", nodeView("n1", "missing", { sector: "3" })], ["n2", nodeView("n2", "online", { sector: "1", boardId: "a1" })]]);
    const a = aggregate(hosts, nodes);
    expect(a.total).toBe(4);
    expect(a.totals).toMatchObject({ online: 2, lost: 1, missing: 1 });
    expect(a.tiles.map((t) => [t.sector, t.total, t.alarm])).toEqual([["2", 2, 1], ["3", 1, 1], ["1", 1, 0]]);
  });

  it("counts a conflict and an offline board as needing attention, whatever their state", () => {
    const conflict = { code: "conflict-ip" as const, field: "ip", message: "10.0.0.5 is also used by b2", with: ["b2"] };
    const hosts = new Map([
      ["b1", hostView("b1", { sector: "1", problems: [conflict] })],
      ["b2", hostView("b2", { sector: "1", problems: [{ ...conflict, with: ["b1"] }] })],
      ["b3", hostView("b3", { sector: "2", state: "offline" })],
      ["b4", hostView("b4", { sector: "2", state: "unregistered" })],
      ["b5", hostView("b5", { sector: "3", problems: [{ code: "clock-skew", message: "clock off by 90 s" }] })],
    ]);
    const a = aggregate(hosts, new Map());
    expect(a.totals.online).toBe(3);
    expect(a.attention).toBe(3);
    expect(a.tiles.map((t) => [t.sector, t.alarm])).toEqual([["1", 2], ["2", 1], ["3", 0]]);
  });

  it("places a board-less node without a sector of its own by its IP, as the server does", () => {
    const ip = { mode: "manual" as const, ip: "10.128.200.201", netmask: "255.255.255.128", gateway: "10.128.200.129" };
    const nodes = new Map([["s1", nodeView("IA-20RaBbB--CO-Spare-1", "missing", { sector: null, ip })]]);
    expect(aggregate(new Map(), nodes).tiles.map((t) => t.sector)).toEqual(["(none)"]);
    expect(aggregate(new Map(), nodes, (a) => (a.startsWith("10.128.200.") ? "20" : null)).tiles.map((t) => t.sector)).toEqual(["20"]);
  });

  it("counts an empty spare slot in its sector as spare, never as needing attention", () => {
    const ip = { mode: "manual" as const, ip: "10.128.200.201", netmask: "255.255.255.128", gateway: "10.128.200.129" };
    const nodes = new Map([
      ["s1", nodeView("IA-20RaBbB--CO-Spare-1", "spare", { sector: null, ip, spare: true })],
      ["m1", nodeView("IA-20RaBbB--CO-PSup-3", "missing", { sector: null, ip: { ...ip, ip: "10.128.200.202" } })],
    ]);
    const a = aggregate(new Map(), nodes, () => "20");
    expect(a.totals).toMatchObject({ spare: 1, missing: 1 });
    expect(a.attention).toBe(1);
    expect(a.tiles).toEqual([expect.objectContaining({ sector: "20", total: 2, alarm: 1, counts: expect.objectContaining({ spare: 1, missing: 1 }) as unknown })]);
  });
});
