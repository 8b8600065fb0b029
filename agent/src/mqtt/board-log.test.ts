import { describe, expect, it } from "vitest";
import { logSchema } from "@bbb/shared";
import { createBoardLog } from "./board-log.js";

describe("board log", () => {
  it("publishes valid lines and drops what exceeds the rate", () => {
    const out: string[] = [];
    let now = 10_000;
    const log = createBoardLog({ publish: (p) => out.push(p), clock: { now: () => now }, perSec: 2 });
    log.info("a");
    log.warn("b");
    log.error("c");
    expect(out.map((p) => logSchema.parse(JSON.parse(p)).msg)).toEqual(["a", "b"]);
    now += 1000;
    log.info("d");
    expect(out).toHaveLength(3);
  });
});
