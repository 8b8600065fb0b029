import { describe, expect, it } from "vitest";
import { RECONNECT_BACKOFF_CAP_MS } from "@bbb/shared";
import { heartbeat as hb, node, registryFixture, status } from "../../test/registry-fixture.js";
import type { StateChangeEvent } from "../service/events.js";
import type { ChangeLevel } from "./registry-types.js";

// The registry with a hand-driven clock and a recording sink: no broker, plain numbers.
function setup(over: { flapMaxChanges?: number } = {}) {
  const changes: StateChangeEvent[] = [];
  const recorded: StateChangeEvent[] = [];
  const published: [string, ChangeLevel][] = [];
  const flaps: boolean[] = [];
  const f = registryFixture({
    flapMaxChanges: over.flapMaxChanges ?? 4,
    sink: {
      hostChanged: (id, level) => published.push([id, level]),
      stateChanged: (e, record) => {
        changes.push(e);
        if (record) recorded.push(e);
      },
      flappingChanged: (_id, _h, fl) => flaps.push(fl),
    },
  });
  return {
    reg: f.reg,
    changes,
    recorded,
    published,
    flaps,
    advance(ms: number) {
      f.advance(ms);
      f.reg.sweep();
    },
    now: f.now,
  };
}

const stateOf = (s: ReturnType<typeof setup>, id: string) => s.reg.records.get(id)?.state;

describe("registry", () => {
  it("matches a board with its node by hostname, and by bound board id first", () => {
    const s = setup();
    s.reg.setNodes([node("h-a1"), node("slot-2", { boardId: "b2" })]);
    s.reg.applyStatus("a1", status("online", "s"), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s"), false);
    s.reg.applyStatus("b2", status("online", "s"), false);
    s.reg.applyHeartbeat("b2", hb("b2", "s", { hostname: "whatever" }), false);
    expect(stateOf(s, "a1")).toBe("online");
    expect(stateOf(s, "b2")).toBe("misconfigured");
    expect(s.reg.nodeView("slot-2")).toMatchObject({ boardId: "b2", state: "misconfigured" });
    expect(s.reg.records.get("b2")?.problems[0]).toMatchObject({
      field: "hostname",
      expected: "slot-2",
      actual: "whatever",
    });
  });

  it("re-evaluates only the boards an edited node concerns", () => {
    const s = setup();
    s.reg.setNodes([node("h-a1"), node("h-a2")]);
    for (const id of ["a1", "a2", "a3"]) {
      s.reg.applyStatus(id, status("online", "s"), false);
      s.reg.applyHeartbeat(id, hb(id, "s"), false);
    }
    s.published.length = 0;
    s.reg.setNodes([node("h-a1", { type: "spixconv" }), node("h-a2"), node("h-a3")]);
    expect(s.published.map(([id]) => id).sort()).toEqual(["a1", "a3"]);
    expect(stateOf(s, "a1")).toBe("misconfigured");
    expect(stateOf(s, "a3")).toBe("online");
  });

  it("turns lost after 3 silent periods, through the sweep, and back with the next beat", () => {
    const s = setup();
    s.reg.applyStatus("a1", status("online", "s"), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s"), false);
    s.advance(3000);
    expect(stateOf(s, "a1")).toBe("unregistered");
    s.advance(2);
    expect(stateOf(s, "a1")).toBe("lost");
    expect(s.changes.at(-1)).toMatchObject({ from: "unregistered", to: "lost", reason: "heartbeat-timeout" });
    s.reg.applyHeartbeat("a1", hb("a1", "s", { seq: 2 }), false);
    expect(stateOf(s, "a1")).toBe("unregistered");
  });

  it("suspends staleness while the manager's own broker link is down", () => {
    const s = setup();
    s.reg.applyStatus("a1", status("online", "s"), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s"), false);
    s.reg.setLinkUp(false);
    s.advance(10_000);
    expect(stateOf(s, "a1")).toBe("unregistered");
    s.reg.setLinkUp(true);
    // Its agent is still in its reconnect back-off: not lost before the back-off's ceiling.
    s.advance(RECONNECT_BACKOFF_CAP_MS - 100);
    expect(stateOf(s, "a1")).toBe("unregistered");
    s.advance(200);
    expect(stateOf(s, "a1")).toBe("lost");
    expect(s.changes.at(-1)).toMatchObject({ to: "lost", reason: "heartbeat-timeout" });
  });

  it("after the link is back, a board whose will arrives is lost at once, one that beats stays", () => {
    const s = setup();
    for (const id of ["a1", "a2"]) {
      s.reg.applyStatus(id, status("online", "s"), false);
      s.reg.applyHeartbeat(id, hb(id, "s"), false);
    }
    s.reg.setLinkUp(false);
    s.advance(5000);
    s.reg.setLinkUp(true);
    s.advance(2000);
    s.reg.applyStatus("a2", status("lost", "s"), false);
    expect(stateOf(s, "a2")).toBe("lost");
    for (let k = 0; k < 40; k++) {
      s.advance(1000);
      s.reg.applyHeartbeat("a1", hb("a1", "s", { seq: 2 + k }), false);
    }
    expect(stateOf(s, "a1")).toBe("unregistered");
  });

  it("publishes a state change at once and a beat that changes nothing as volatile", () => {
    const s = setup();
    s.reg.applyStatus("a1", status("online", "s"), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s"), false);
    s.published.length = 0;
    s.reg.applyHeartbeat("a1", hb("a1", "s", { seq: 2, uptime: 2 }), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s", { seq: 3, details: "new detail" }), false);
    s.reg.applyStatus("a1", status("lost", "s"), false);
    expect(s.published).toEqual([
      ["a1", "volatile"],
      ["a1", "attr"],
      ["a1", "state"],
    ]);
  });

  it("ignores a will of another session and a late beat of an ended session", () => {
    const s = setup();
    s.reg.applyStatus("a1", status("online", "s2"), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s2"), false);
    s.reg.applyStatus("a1", status("lost", "s1"), false);
    expect(stateOf(s, "a1")).toBe("unregistered");
    s.reg.applyStatus("a1", status("offline", "s2"), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s2", { seq: 9 }), false);
    expect(stateOf(s, "a1")).toBe("offline");
  });

  it("waits for the status of a board rebuilt from retained messages", () => {
    const s = setup();
    s.reg.applyHeartbeat("a1", hb("a1", "s"), true);
    expect(stateOf(s, "a1")).toBeNull();
    s.reg.applyStatus("a1", status("online", "s"), true);
    expect(stateOf(s, "a1")).toBe("unregistered");
    expect(s.changes).toHaveLength(1);
  });

  it("keeps stateSince from the previous run's host view and clears ghosts at settle", () => {
    const s = setup();
    s.reg.applyPreviousView({
      v: 1,
      id: "a1",
      state: "unregistered",
      stateSince: 5,
      lastSeen: 5,
      problems: [],
      flapping: false,
      sector: null,
      session: "s",
      node: null,
      heartbeat: null,
      agent: "bbb-agent",
    });
    s.reg.applyPreviousView({
      v: 1,
      id: "gone",
      state: "lost",
      stateSince: 5,
      lastSeen: 5,
      problems: [],
      flapping: false,
      sector: null,
      session: "s",
      node: null,
      heartbeat: null,
      agent: "bbb-agent",
    });
    s.reg.applyStatus("a1", status("online", "s"), true);
    s.reg.applyHeartbeat("a1", hb("a1", "s"), true);
    expect(s.reg.records.get("a1")?.stateSince).toBe(5);
    expect(s.changes).toHaveLength(0);
    expect(s.reg.settle()).toEqual(["gone"]);
  });

  it("flags conflicts on both live boards and drops them when one dies", () => {
    const s = setup();
    for (const id of ["a1", "a2"]) {
      s.reg.applyStatus(id, status("online", "s"), false);
      s.reg.applyHeartbeat(
        id,
        hb(id, "s", { ip: "10.128.20.9", pvPrefix: id === "a1" ? "SI-PV" : ["X", "SI-PV"] }),
        false,
      );
    }
    const codes = (id: string) => s.reg.records.get(id)?.problems.map((p) => p.code);
    expect(codes("a1")).toEqual(["conflict-ip", "conflict-pv-prefix"]);
    expect(s.reg.records.get("a2")?.problems[0]).toMatchObject({ code: "conflict-ip", with: ["a1"] });
    s.reg.applyStatus("a2", status("lost", "s"), false);
    expect(codes("a1")).toEqual([]);
  });

  it("caps conflict lists when many boards share one IP", () => {
    const s = setup();
    for (let i = 0; i < 2000; i++) {
      const id = `c${i}`;
      s.reg.applyStatus(id, status("online", "s"), false);
      s.reg.applyHeartbeat(id, hb(id, "s", { ip: "192.168.7.2" }), false);
    }
    // Early members were re-evaluated while the group was small; the newest one sees it all.
    expect(s.reg.records.get("c0")?.problems.find((x) => x.code === "conflict-ip")?.with).toHaveLength(64);
    const p = s.reg.records.get("c1999")?.problems.find((x) => x.code === "conflict-ip");
    expect(p?.with).toHaveLength(64);
    expect(p?.message).toMatch(/and 1991 more$/);
  });

  it("is rebooting during the grace period, online again with a new session, lost with reboot-timeout otherwise", () => {
    const s = setup();
    s.reg.setNodes([node("h-a1"), node("h-a2")]);
    for (const id of ["a1", "a2"]) {
      s.reg.applyStatus(id, status("online", "s1"), false);
      s.reg.applyHeartbeat(id, hb(id, "s1"), false);
      s.reg.markRebooting(id);
      expect(stateOf(s, id)).toBe("rebooting");
      s.reg.applyStatus(id, status("offline", "s1"), false);
    }
    s.advance(4000);
    s.reg.applyStatus("a1", status("online", "s2"), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s2"), false);
    expect(stateOf(s, "a1")).toBe("online");
    expect(stateOf(s, "a2")).toBe("rebooting");
    s.advance(6001);
    expect(stateOf(s, "a2")).toBe("lost");
    expect(s.changes.at(-1)).toMatchObject({ boardId: "a2", to: "lost", reason: "reboot-timeout" });
    expect(s.reg.records.get("a2")?.problems.map((p) => p.code)).toContain("reboot-timeout");
  });

  it("flags flapping and stops recording its state changes until it calms down", () => {
    const s = setup({ flapMaxChanges: 4 });
    s.reg.applyStatus("a1", status("online", "s0"), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s0"), false);
    for (let i = 1; i <= 10; i++) {
      s.advance(1000);
      s.reg.applyStatus("a1", status("lost", `s${i - 1}`), false);
      s.reg.applyStatus("a1", status("online", `s${i}`), false);
    }
    const rec = s.reg.records.get("a1");
    expect(rec?.flapping).toBe(true);
    expect(rec?.problems.map((p) => p.code)).toContain("flapping");
    expect(s.flaps).toEqual([true]);
    expect(s.changes.length).toBe(21);
    expect(s.recorded.length).toBeLessThan(8);
    s.reg.applyHeartbeat("a1", hb("a1", "s10"), false);
    for (let k = 0; k < 62; k++) {
      s.advance(1000);
      s.reg.applyHeartbeat("a1", hb("a1", "s10", { seq: k }), false);
    }
    expect(s.reg.records.get("a1")?.flapping).toBe(false);
    expect(s.flaps).toEqual([true, false]);
  });

  it("gives a board its sector from its IP", () => {
    const s = setup();
    s.reg.setSectors([
      { name: "LINAC", cidrs: ["10.128.1.0/25"] },
      { name: "Outros", cidrs: [] },
    ]);
    s.reg.applyStatus("a1", status("online", "s"), false);
    s.reg.applyHeartbeat("a1", hb("a1", "s", { ip: "10.128.1.20" }), false);
    s.reg.applyStatus("a2", status("online", "s"), false);
    s.reg.applyHeartbeat("a2", hb("a2", "s", { ip: "192.168.0.3" }), false);
    expect(s.reg.records.get("a1")?.sector).toBe("LINAC");
    expect(s.reg.records.get("a2")?.sector).toBe("Outros");
  });

  describe("after a restart (docs/protocol.md §Liveness)", () => {
    const view = (id: string, state: "online" | "lost" | "unregistered", session: string) => ({
      v: 1 as const,
      id,
      state,
      stateSince: 500_000,
      lastSeen: 900_000,
      problems: [],
      flapping: false,
      sector: null,
      session,
      node: null,
      heartbeat: hb(id, session),
      agent: "bbb-agent" as const,
    });
    const problems = (s: ReturnType<typeof setup>, id: string) => s.reg.records.get(id)?.problems.map((p) => p.code);

    it("keeps a board that was alive in its state, awaiting its reconnect, without any event", () => {
      const s = setup();
      expect(s.reg.restoreKnown([view("a1", "unregistered", "s1"), view("a2", "lost", "s2")], 60_000)).toBe(2);
      s.reg.settle();
      expect(stateOf(s, "a1")).toBe("unregistered");
      expect(s.reg.records.get("a1")?.stateSince).toBe(500_000);
      expect(problems(s, "a1")).toEqual(["awaiting-reconnect"]);
      expect(stateOf(s, "a2")).toBe("lost");
      s.advance(59_000);
      expect(stateOf(s, "a1")).toBe("unregistered");
      expect(s.changes).toEqual([]);
    });

    it("ends the wait when the board reconnects with its session: still no event, and the problem goes", () => {
      const s = setup();
      s.reg.restoreKnown([view("a1", "unregistered", "s1")], 60_000);
      s.reg.settle();
      s.advance(20_000);
      s.reg.applyStatus("a1", status("online", "s1"), false);
      s.reg.applyHeartbeat("a1", hb("a1", "s1", { seq: 2 }), false);
      expect(stateOf(s, "a1")).toBe("unregistered");
      expect(problems(s, "a1")).toEqual([]);
      expect(s.changes).toEqual([]);
      // Back to normal liveness: silent for 3 periods is lost, the grace no longer covers it.
      s.advance(3_500);
      expect(stateOf(s, "a1")).toBe("lost");
      expect(s.changes.map((c) => c.reason)).toEqual(["heartbeat-timeout"]);
    });

    it("declares a board that did not come back lost once the grace has passed", () => {
      const s = setup();
      s.reg.restoreKnown([view("a1", "unregistered", "s1")], 60_000);
      s.reg.settle();
      s.advance(60_100);
      expect(stateOf(s, "a1")).toBe("lost");
      expect(problems(s, "a1")).toEqual([]);
      expect(s.recorded.map((c) => [c.from, c.to, c.reason])).toEqual([["unregistered", "lost", "not-reconnected"]]);
    });

    it("leaves a board that reconnected before the store was read as the messages say", () => {
      const s = setup();
      s.reg.applyStatus("a1", status("online", "s9"), false);
      s.reg.applyHeartbeat("a1", hb("a1", "s9"), false);
      expect(s.reg.restoreKnown([view("a1", "lost", "s1")], 60_000)).toBe(0);
      expect(stateOf(s, "a1")).toBe("unregistered");
    });
  });
});
