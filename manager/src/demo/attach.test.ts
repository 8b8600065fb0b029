import { describe, expect, it } from "vitest";
import { demoStart } from "./attach.js";

const held = (extra: Record<string, unknown>) => ({
  state: "held" as const,
  lock: { pid: 4242, host: "h", startedAt: 1, ...extra },
});

describe("demoStart", () => {
  it("starts its own server on a free or stale data dir", () => {
    expect(demoStart({ state: "free" }, "./data", 1883)).toEqual({ kind: "own-server" });
    expect(demoStart({ state: "stale", lock: { pid: 1, host: "h", startedAt: 1 } }, "./data", 1883)).toEqual({
      kind: "own-server",
    });
  });

  it("attaches to the broker the running server wrote into its lock", () => {
    expect(demoStart(held({ mqttUrl: "mqtt://127.0.0.1:41883" }), "./data", 1883)).toEqual({
      kind: "attach",
      mqttUrl: "mqtt://127.0.0.1:41883",
      pid: 4242,
    });
  });

  it("names the exact command when the running server did not say where its broker is", () => {
    expect(demoStart(held({}), "./data", 1884)).toEqual({
      kind: "refuse",
      message:
        "data dir ./data is in use by a server (pid 4242); attach to it with: npm run demo -- --connect mqtt://127.0.0.1:1884",
    });
    expect(demoStart(held({ mqttUrl: "file:///etc/passwd" }), "./data", 0).kind).toBe("refuse");
  });
});
