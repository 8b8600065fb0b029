import { pino } from "pino";
import { describe, expect, it } from "vitest";
import type { Heartbeat } from "@bbb/shared";
import { createRegistry } from "../registry/create-registry.js";
import { expireLostBoards, forgetBoard, type ForgetDeps } from "./forget-board.js";

const HOUR = 3_600_000;

// A real registry on a hand-driven clock; the store and the retained-topic clearing record calls.
function setup() {
  let t = 1_000_000;
  const removedViews: string[] = [];
  const cleared: string[] = [];
  const history: { boardId: string | null; by: string | null; message: string }[] = [];
  const registry = createRegistry({
    log: pino({ level: "silent" }),
    now: () => t,
    heartbeatMs: 1000,
    rebootGraceMs: 10_000,
    flap: { maxChanges: 100, windowMs: 60_000 },
    maxClockSkewMs: Infinity,
    sink: {
      hostChanged: () => undefined,
      hostRemoved: (id) => removedViews.push(id),
      nodeChanged: () => undefined,
      stateChanged: () => undefined,
      flappingChanged: () => undefined,
    },
  });
  const deps = {
    registry,
    now: () => t,
    clearBoardTopics: (id: string) => cleared.push(id),
    store: { record: (e: { boardId: string | null; by: string | null; message: string }) => history.push(e) },
  } as unknown as ForgetDeps;
  const board = (id: string, state: "online" | "offline" | "lost") => {
    const hb: Heartbeat = {
      v: 1,
      id,
      session: "s",
      seq: 1,
      ts: 0,
      hostname: `h-${id}`,
      ip: "10.0.0.5",
      type: "t",
      uptime: 1,
    };
    registry.applyStatus(id, { v: 1, state: "online", session: "s", ts: 0 }, false);
    registry.applyHeartbeat(id, hb, false);
    if (state !== "online") registry.applyStatus(id, { v: 1, state, session: "s", ts: 0 }, false);
  };
  return { registry, deps, board, cleared, removedViews, history, advance: (ms: number) => void (t += ms) };
}

describe("forgetting boards", () => {
  it("refuses a board that is alive or unknown, and changes nothing", () => {
    const s = setup();
    s.board("a1", "online");
    expect(() => forgetBoard(s.deps, "a1", { by: "op", via: "socket" })).toThrow(
      expect.objectContaining({ code: "MGR_E_CONFLICT" }),
    );
    expect(() => forgetBoard(s.deps, "zz", { by: "op", via: "socket" })).toThrow(
      expect.objectContaining({ code: "MGR_E_NOT_FOUND" }),
    );
    expect(s.registry.records.has("a1")).toBe(true);
    expect([s.cleared, s.history]).toEqual([[], []]);
  });

  it("expires only boards lost for the configured time; offline ones stay", () => {
    const s = setup();
    s.board("l1", "lost");
    s.advance(HOUR);
    s.board("l2", "lost");
    s.board("o1", "offline");
    s.board("n1", "online");
    s.advance(23 * HOUR);
    expect(expireLostBoards(s.deps, 24 * HOUR)).toEqual(["l1"]);
    expect(s.registry.records.has("l1")).toBe(false);
    expect(s.cleared).toEqual(["l1"]);
    expect(s.removedViews).toEqual(["l1"]);
    expect(s.history).toEqual([
      expect.objectContaining({ boardId: "l1", by: "system", message: "board l1 removed (lost for over 24 h)" }),
    ]);
    s.advance(HOUR);
    expect(expireLostBoards(s.deps, 24 * HOUR)).toEqual(["l2"]);
    s.advance(1000 * HOUR);
    expect(expireLostBoards(s.deps, 24 * HOUR)).toEqual([]);
    expect([...s.registry.records.keys()].sort()).toEqual(["n1", "o1"]);
  });
});
