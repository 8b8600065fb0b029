import { describe, expect, it } from "vitest";
import { hostView, nodeView } from "../test-support/fixtures.js";
import { emptyFleetState, LIMITS } from "./fleet-state.js";
import { reduce } from "./reducer.js";

const ctx = { watched: new Set<string>() };

describe("reduce", () => {
  it("keys hosts by id and records a state change only when a known board changes state", () => {
    let s = reduce(emptyFleetState(), [{ kind: "host", id: "a1", view: hostView("a1") }, { kind: "host", id: "b2", view: hostView("b2") }], ctx);
    expect(s.hosts.size).toBe(2);
    expect(s.changes).toEqual([]);
    s = reduce(s, [{ kind: "host", id: "a1", view: hostView("a1", { state: "lost", stateSince: 5_000 }) }], ctx);
    expect(s.hosts.get("a1")?.state).toBe("lost");
    expect(s.changes).toEqual([{ id: "a1", hostname: "BO-Srv-1", from: "online", to: "lost", at: 5_000 }]);
  });

  it("applies registry/volatile entries to the views it knows, keeping their state and problems", () => {
    let s = reduce(emptyFleetState(), [{ kind: "host", id: "a1", view: hostView("a1", { state: "misconfigured" }) }], ctx);
    const hb = { ...hostView("a1").heartbeat, v: 1 as const, id: "a1", session: "s1", seq: 7, ts: 62_000, hostname: "h", ip: "10.0.0.1", type: "mbtemp", uptime: 160, load1: 1.5 };
    s = reduce(s, [{ kind: "volatile", hosts: [{ id: "a1", lastSeen: 62_000, heartbeat: hb }, { id: "zz", lastSeen: 62_000, heartbeat: hb }] }], ctx);
    expect(s.hosts.get("a1")).toMatchObject({ state: "misconfigured", lastSeen: 62_000, heartbeat: { seq: 7, load1: 1.5 } });
    expect(s.hosts.has("zz")).toBe(false);
    expect(s.samples.get("a1")?.at(-1)).toMatchObject({ t: 62_000, load1: 1.5 });
    // An older entry never overwrites a newer view.
    s = reduce(s, [{ kind: "volatile", hosts: [{ id: "a1", lastSeen: 10_000, heartbeat: { ...hb, seq: 1 } }] }], ctx);
    expect(s.hosts.get("a1")?.heartbeat?.seq).toBe(7);
  });

  it("orders two views of one board by when the manager made them, not by lastSeen", () => {
    const conflict = [{ code: "conflict-ip" as const, field: "ip", actual: "10.0.0.1", with: ["b2"], message: "ip 10.0.0.1 is also used by b2" }];
    // The retained view (made at 2,000: the twin went away) arrives before a hosts.list answer
    // made at 1,000 with the same lastSeen: the older answer must not bring the conflict back.
    let s = reduce(emptyFleetState(), [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 900, at: 2_000, problems: [] }) }], ctx);
    s = reduce(s, [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 900, at: 1_000, problems: conflict }) }], ctx);
    expect(s.hosts.get("a1")?.problems).toEqual([]);
    // The other order: the newer view replaces the older one.
    s = reduce(emptyFleetState(), [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 900, at: 1_000, problems: conflict }) }], ctx);
    s = reduce(s, [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 900, at: 2_000, problems: [] }) }], ctx);
    expect(s.hosts.get("a1")?.problems).toEqual([]);
  });

  it("a newer view keeps the newer heartbeat a volatile entry brought meanwhile", () => {
    const base = hostView("a1", { lastSeen: 4_000, at: 4_100 });
    let s = reduce(emptyFleetState(), [{ kind: "host", id: "a1", view: { ...base, problems: [{ code: "conflict-ip", field: "ip", actual: "10.0.0.1", with: ["b2"], message: "m" }] } }], ctx);
    const hb = { ...base.heartbeat!, seq: 9, uptime: 999 };
    s = reduce(s, [{ kind: "volatile", hosts: [{ id: "a1", lastSeen: 6_000, heartbeat: hb }] }], ctx);
    s = reduce(s, [{ kind: "host", id: "a1", view: { ...base, at: 5_000, problems: [] } }], ctx);
    expect(s.hosts.get("a1")).toMatchObject({ problems: [], lastSeen: 6_000, heartbeat: { seq: 9, uptime: 999 }, at: 5_000 });
  });

  it("views of an older manager (no at) are ordered by lastSeen / stateSince", () => {
    let s = reduce(emptyFleetState(), [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 5_000, state: "misconfigured" }) }], ctx);
    s = reduce(s, [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 3_000 }) }], ctx);
    expect(s.hosts.get("a1")?.state).toBe("misconfigured");
    s = reduce(s, [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 7_000 }) }], ctx);
    expect(s.hosts.get("a1")?.state).toBe("online");
  });

  it("lists the newest change first and caps the list", () => {
    let s = reduce(emptyFleetState(), [{ kind: "host", id: "a1", view: hostView("a1") }], ctx);
    const evs = [];
    for (let i = 0; i < LIMITS.changes + 10; i++) {
      evs.push({ kind: "host" as const, id: "a1", view: hostView("a1", { state: i % 2 === 0 ? "lost" : "online", stateSince: 10_000 + i }) });
    }
    s = reduce(s, evs, ctx);
    expect(s.changes).toHaveLength(LIMITS.changes);
    expect(s.changes[0]?.at).toBe(10_000 + LIMITS.changes + 9);
  });

  it("keeps the identity of untouched collections and of the whole state for no events", () => {
    const s0 = reduce(emptyFleetState(), [{ kind: "host", id: "a1", view: hostView("a1") }], ctx);
    expect(reduce(s0, [], ctx)).toBe(s0);
    const s1 = reduce(s0, [{ kind: "summary", summary: { v: 1, ts: 1, total: 1, byState: { online: 1 }, bySector: {}, flapping: 0 } }], ctx);
    expect(s1.hosts).toBe(s0.hosts);
    expect(s1.types).toBe(s0.types);
    expect(s1.summary?.total).toBe(1);
  });

  it("removes a host, a node and a type on an empty retained payload", () => {
    let s = reduce(emptyFleetState(), [
      { kind: "host", id: "a1", view: hostView("a1") },
      { kind: "node", hostname: "n1", view: nodeView("n1") },
      { kind: "type", name: "mbtemp", type: { name: "mbtemp", description: "", colour: "#112233", source: null, rcLocalPath: null, overlay: null, pvPrefixPattern: null } },
    ], ctx);
    expect([s.hosts.size, s.nodes.size, s.types.size]).toEqual([1, 1, 1]);
    s = reduce(s, [{ kind: "host", id: "a1", view: null }, { kind: "node", hostname: "n1", view: null }, { kind: "type", name: "mbtemp", type: null }], ctx);
    expect([s.hosts.size, s.nodes.size, s.types.size]).toEqual([0, 0, 0]);
  });

  it("ties results to the command this console sent, first without and then with a request id", () => {
    let s = reduce(emptyFleetState(), [{ kind: "sent", boardId: "a1", requestId: null, action: "reboot", by: "op", at: 100, runId: null }], ctx);
    expect(s.commands.get("a1")?.[0]?.status).toBe("sent");
    s = reduce(s, [{ kind: "result", boardId: "a1", at: 150, result: { v: 1, id: "r1", action: "reboot", status: "accepted", ts: 120 } }], ctx);
    const c = s.commands.get("a1");
    expect(c).toHaveLength(1);
    expect(c?.[0]).toMatchObject({ requestId: "r1", status: "accepted", by: "op", sentAt: 100 });
    s = reduce(s, [
      { kind: "result", boardId: "a1", at: 200, result: { v: 1, id: "r2", action: "sync-project", status: "running", progress: 0.5, ts: 190 } },
      { kind: "result", boardId: "a1", at: 210, result: { v: 1, id: "r2", action: "sync-project", status: "succeeded", exitCode: 0, output: "done", ts: 205 } },
    ], ctx);
    expect(s.commands.get("a1")?.[0]).toMatchObject({ requestId: "r2", status: "succeeded", progress: 0.5, exitCode: 0, output: "done", by: null });
  });

  it("never replaces a host view by an older one (snapshot and retained stream race)", () => {
    let s = reduce(emptyFleetState(), [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 5_000, state: "lost" }) }], ctx);
    s = reduce(s, [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 4_000, state: "online" }) }], ctx);
    expect(s.hosts.get("a1")?.state).toBe("lost");
    expect(s.changes).toEqual([]);
    s = reduce(s, [{ kind: "host", id: "a1", view: hostView("a1", { lastSeen: 5_000, stateSince: 6_000, state: "online" }) }], ctx);
    expect(s.hosts.get("a1")?.state).toBe("online");
  });

  it("keeps log lines per board, oldest first, capped", () => {
    const evs = Array.from({ length: LIMITS.logsPerBoard + 5 }, (_, i) => ({ kind: "log" as const, boardId: "a1", at: i, line: { v: 1 as const, level: "info" as const, msg: `m${i}`, ts: i } }));
    const s = reduce(emptyFleetState(), evs, ctx);
    const l = s.logs.get("a1") ?? [];
    expect(l).toHaveLength(LIMITS.logsPerBoard);
    expect(l[l.length - 1]?.msg).toBe(`m${LIMITS.logsPerBoard + 4}`);
  });

  it("samples every update of a watched board and one a minute of the others, over the last hour", () => {
    const watched = { watched: new Set(["w1"]) };
    let s = emptyFleetState();
    for (let t = 0; t <= 120_000; t += 1000) {
      s = reduce(s, [
        { kind: "host", id: "w1", view: hostView("w1", { lastSeen: t, hb: { uptime: t / 1000 } }) },
        { kind: "host", id: "o1", view: hostView("o1", { lastSeen: t }) },
      ], watched);
    }
    expect(s.samples.get("w1")).toHaveLength(121);
    expect(s.samples.get("o1")?.map((x) => x.t)).toEqual([0, 60_000, 120_000]);
    s = reduce(s, [{ kind: "host", id: "w1", view: hostView("w1", { lastSeen: 3_700_000 }) }], watched);
    expect(s.samples.get("w1")?.[0]?.t).toBeGreaterThanOrEqual(100_000);
  });
});
