import { describe, expect, it } from "vitest";
import type { Heartbeat } from "./schemas/heartbeat.js";
import {
  boardlessState,
  evaluateBoard,
  inventoryMismatches,
  isAlive,
  isFlapping,
  lostDeadline,
  mismatches,
  type BoardLive,
  type Expected,
} from "./state.js";

// The state of a board is a pure function of (node, board, now): plain numbers.
const hb = (over: Partial<Heartbeat> = {}): Heartbeat => ({
  v: 1,
  id: "a0f6fd8b1c22",
  session: "s1",
  seq: 1,
  ts: 1000,
  hostname: "LA-RaCtrl--CO-Srv-1",
  ip: "10.128.1.10",
  type: "mbtemp",
  uptime: 100,
  ...over,
});
const live = (over: Partial<BoardLive> = {}): BoardLive => ({
  status: "online",
  session: "s1",
  heartbeat: hb(),
  lastSeen: 10_000,
  periodMs: 1000,
  reboot: null,
  ...over,
});
const expected: Expected = { hostname: "LA-RaCtrl--CO-Srv-1", ip: "10.128.1.10", type: "mbtemp", pvPrefixes: [] };

describe("evaluateBoard", () => {
  it("is missing for a node without a board", () => {
    expect(evaluateBoard(expected, null, 0)).toEqual({ state: "missing", problems: [], alive: false });
  });

  it("is spare for a spare node without a board, and evaluated as any node once a board is there", () => {
    expect(evaluateBoard({ ...expected, spare: true }, null, 0)).toEqual({ state: "spare", problems: [], alive: false });
    expect(boardlessState({ spare: true })).toBe("spare");
    expect(boardlessState({ spare: false })).toBe("missing");
    expect(boardlessState(null)).toBe("missing");
    expect(evaluateBoard({ ...expected, spare: true }, live(), 10_000).state).toBe("online");
  });

  it("is online while heartbeats are within 3 periods and everything matches", () => {
    expect(evaluateBoard(expected, live(), 10_000).state).toBe("online");
    expect(evaluateBoard(expected, live(), 13_000).state).toBe("online");
  });
  it("is lost after 3 silent periods even without a will", () => {
    const e = evaluateBoard(expected, live(), 13_001);
    expect(e.state).toBe("lost");
    expect(e.alive).toBe(false);
  });
  it("uses the board's own period", () => {
    expect(evaluateBoard(expected, live({ periodMs: 5000 }), 24_000).state).toBe("online");
    expect(evaluateBoard(expected, live({ periodMs: 5000 }), 25_001).state).toBe("lost");
  });
  it("is lost on a will and offline on a clean stop", () => {
    expect(evaluateBoard(expected, live({ status: "lost" }), 10_000).state).toBe("lost");
    expect(evaluateBoard(expected, live({ status: "offline" }), 10_000).state).toBe("offline");
  });
  it("is unregistered when alive without a node", () => {
    expect(evaluateBoard(null, live(), 10_000).state).toBe("unregistered");
  });
  it("is misconfigured with the differing fields listed", () => {
    const e = evaluateBoard(expected, live({ heartbeat: hb({ hostname: "other", ip: "10.128.1.11" }) }), 10_000);
    expect(e.state).toBe("misconfigured");
    expect(e.problems.map((p) => p.field)).toEqual(["hostname", "ip"]);
  });
  it("ignores the IP of a DHCP node (expected ip null)", () => {
    expect(evaluateBoard({ ...expected, ip: null }, live({ heartbeat: hb({ ip: "10.0.0.9" }) }), 10_000).state).toBe(
      "online",
    );
  });
  it("compares PV prefixes as sets and the project revision when the type has one", () => {
    const exp = { ...expected, pvPrefixes: ["B", "A"], projectRevision: "r2" };
    expect(
      evaluateBoard(exp, live({ heartbeat: hb({ pvPrefix: ["A", "B"], projectRevision: "r2" }) }), 10_000).state,
    ).toBe("online");
    const e = evaluateBoard(exp, live({ heartbeat: hb({ pvPrefix: "A", projectRevision: "r1" }) }), 10_000);
    expect(e.problems.map((p) => p.field)).toEqual(["pvPrefix", "projectRevision"]);
  });
  it("is rebooting during the grace period, even while the old session still beats", () => {
    const reboot = { since: 10_000, until: 190_000, session: "s1" };
    expect(evaluateBoard(expected, live({ reboot }), 11_000).state).toBe("rebooting");
    expect(evaluateBoard(expected, live({ reboot, status: "lost" }), 50_000).state).toBe("rebooting");
  });
  it("is online again when the board is back with a new session inside the grace period", () => {
    const reboot = { since: 10_000, until: 190_000, session: "s1" };
    expect(evaluateBoard(expected, live({ reboot, session: "s2", lastSeen: 60_000 }), 60_000).state).toBe("online");
  });
  it("is lost with reboot-timeout when the grace period ran out", () => {
    const reboot = { since: 10_000, until: 190_000, session: "s1" };
    const e = evaluateBoard(expected, live({ reboot, status: "lost" }), 190_000);
    expect(e.state).toBe("lost");
    expect(e.problems.map((p) => p.code)).toEqual(["reboot-timeout"]);
  });
});

describe("helpers", () => {
  it("isAlive needs an online status and a recent beat", () => {
    expect(isAlive(live({ status: null }), 10_000)).toBe(false);
    expect(isAlive(live({ lastSeen: null }), 10_000)).toBe(false);
    expect(isAlive(live(), 12_000)).toBe(true);
  });
  it("lostDeadline is the last beat plus 3 periods, none when not online", () => {
    expect(lostDeadline(live())).toBe(13_000);
    expect(lostDeadline(live({ status: "offline" }))).toBeNull();
  });
  it("mismatches lists nothing for a matching beat", () => {
    expect(mismatches(expected, hb())).toEqual([]);
  });
  it("isFlapping counts changes inside the window only", () => {
    const times = [0, 10, 20, 30, 40, 50, 60];
    expect(isFlapping(times, 100, { maxChanges: 6, windowMs: 1000 })).toBe(true);
    expect(isFlapping(times, 100, { maxChanges: 7, windowMs: 1000 })).toBe(false);
    expect(isFlapping(times, 2000, { maxChanges: 6, windowMs: 1000 })).toBe(false);
  });
});

describe("network change quiet window", () => {
  const board = { status: "online" as const, session: "s1", heartbeat: null, lastSeen: 1_000, periodMs: 1_000 };
  it("keeps a silent board alive until the quiet window ends, then it is lost", () => {
    const quiet = { ...board, quietUntil: 60_000 };
    expect(evaluateBoard(null, quiet, 30_000).state).toBe("unregistered");
    expect(evaluateBoard(null, quiet, 60_001).state).toBe("lost");
    expect(lostDeadline(quiet)).toBe(60_000);
    expect(evaluateBoard(null, board, 30_000).state).toBe("lost");
  });
  it("does not hide a will: a lost status is lost at once", () => {
    expect(evaluateBoard(null, { ...board, status: "lost", quietUntil: 60_000 }, 2_000).state).toBe("lost");
  });
});

describe("inventory expectations", () => {
  const inv = {
    v: 1 as const,
    id: "b1",
    ts: 1,
    kernel: "5.10.168-ti-r71",
    image: "BeagleBoard.org Debian Bullseye IoT Image 2023-09-02",
    debian: "11.8",
    overlays: ["BB-UART1", "BB-ADC"],
    uEnv: ["uboot_overlay_addr0=BB-UART1-00A0.dtbo"],
    node: "v18.20.4",
    agent: "0.1.0",
    storage: [],
  };
  it("lists each differing field; overlays need only be applied", () => {
    expect(inventoryMismatches({ kernel: "5.10.168-ti-r71", overlays: ["BB-ADC"] }, inv)).toEqual([]);
    const p = inventoryMismatches({ kernel: "4.14.108-ti-r131", overlays: ["BB-SPI0"] }, inv);
    expect(p.map((x) => [x.field, x.expected, x.actual])).toEqual([
      ["inventory.kernel", "4.14.108-ti-r131", "5.10.168-ti-r71"],
      ["inventory.overlays", "BB-SPI0", "BB-ADC,BB-UART1"],
    ]);
  });
  it("compares nothing before the board sent an inventory", () => {
    expect(inventoryMismatches({ kernel: "x" }, null)).toEqual([]);
  });
});
