import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";

describe("the root logger", () => {
  it("redacts secret-bearing keys at every level a log line carries them", () => {
    let text = "";
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString("utf8");
        cb();
      },
    });
    const log = createLogger("info", sink).child({ module: "test" });
    log.info({ password: "p-1", token: "t-1", fleetSecret: "f-1" }, "top level");
    log.warn({ req: { headers: { authorization: "Basic a-1", cookie: "c-1" } } }, "two levels");
    log.error(
      { config: { adminPassword: "a-2", redisUrl: "redis://:r-1@redis", metricsToken: "m-1", secret: "s-1" } },
      "nested",
    );
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    for (const s of ["p-1", "t-1", "f-1", "a-1", "c-1", "a-2", "r-1", "m-1", "s-1"]) expect(text).not.toContain(s);
    expect(lines[0]).toMatchObject({ level: 30, module: "test", password: "[redacted]", msg: "top level" });
    expect(lines[1]).toMatchObject({ req: { headers: { authorization: "[redacted]" } } });
  });
});
