import { describe, expect, it } from "vitest";
import { heartbeat, registryFixture, status } from "../../test/registry-fixture.js";
import { expireLostBoards, forgetBoard, type ForgetDeps } from "./forget-board.js";

const HOUR = 3_600_000;

// A real registry on a hand-driven clock; the store and the retained-topic clearing record calls.
function setup() {
  const removedViews: string[] = [];
  const cleared: string[] = [];
  const history: { boardId: string | null; by: string | null; message: string }[] = [];
  const f = registryFixture({ sink: { hostRemoved: (id) => removedViews.push(id) } });
  const registry = f.reg;
  const deps = {
    registry,
    now: f.now,
    clearBoardTopics: (id: string) => cleared.push(id),
    store: { record: (e: { boardId: string | null; by: string | null; message: string }) => history.push(e) },
  } as unknown as ForgetDeps;
  const board = (id: string, state: "online" | "offline" | "lost") => {
    registry.applyStatus(id, status("online", "s"), false);
    registry.applyHeartbeat(id, heartbeat(id, "s", { ip: "10.0.0.5", type: "t" }), false);
    if (state !== "online") registry.applyStatus(id, status(state, "s"), false);
  };
  return { registry, deps, board, cleared, removedViews, history, advance: f.advance };
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
