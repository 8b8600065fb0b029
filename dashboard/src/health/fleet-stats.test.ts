import type { HostView } from "@bbb/shared";
import { describe, expect, it } from "vitest";
import { distributionBySector, rebootedBoards, topBoards } from "./fleet-stats.js";

const view = (id: string, sector: string | null, state: HostView["state"], tempC?: number, last24h = 0): HostView => ({
  v: 1,
  id,
  state,
  stateSince: 0,
  lastSeen: 0,
  problems: [],
  flapping: false,
  sector,
  session: "s",
  node: null,
  agent: "bbb-agent",
  heartbeat: {
    v: 1,
    id,
    session: "s",
    seq: 0,
    ts: 0,
    hostname: `h-${id}`,
    ip: "",
    type: "t",
    uptime: 1,
    ...(tempC === undefined ? {} : { tempC }),
  },
  ...(last24h > 0 ? { reboots: { total: last24h, last24h, lastAt: 1 } } : {}),
});

describe("fleet stats", () => {
  const fleet = [
    view("a", "2", "online", 40),
    view("b", "2", "online", 60),
    view("c", "2", "misconfigured", 50),
    view("d", "10", "online", 70, 3),
    view("e", "10", "lost", 99, 1),
    view("f", null, "online"),
  ];
  it("distributes live values per sector, sectors in natural order; dead boards do not count", () => {
    expect(distributionBySector(fleet, "tempC")).toEqual([
      { sector: "2", n: 3, min: 40, p50: 50, p90: 60, max: 60 },
      { sector: "10", n: 1, min: 70, p50: 70, p90: 70, max: 70 },
    ]);
  });
  it("ranks the hottest live boards", () => {
    expect(topBoards(fleet, "tempC", 2).map((r) => [r.id, r.value])).toEqual([
      ["d", 70],
      ["b", 60],
    ]);
  });
  it("lists boards that rebooted at least N times in 24 h", () => {
    expect(rebootedBoards(fleet, 1).map((h) => h.id)).toEqual(["d", "e"]);
    expect(rebootedBoards(fleet, 2).map((h) => h.id)).toEqual(["d"]);
  });
});
