import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { quietDebug, quietFactory, type DebugFactory } from "./quiet-debug.js";
import { mqttPacketQuiet } from "./quiet-packets.js";

const req = createRequire(import.meta.url);
const mqttPacketFile = createRequire(req.resolve("aedes")).resolve("mqtt-packet");

/** `debug`'s factory itself, as its package exports it (not what the require cache now holds). */
function realDebug(): DebugFactory & { enable(ns: string): void; disable(): string } {
  const r = createRequire(mqttPacketFile);
  const f = r("debug") as DebugFactory;
  // Behind the quiet proxy when it is installed: its target is `debug`'s own factory, whose
  // properties the proxy passes through.
  return f as DebugFactory & { enable(ns: string): void; disable(): string };
}

describe("quietFactory", () => {
  it("returns a function that does nothing for a namespace that is off, and debug's own for one that is on", () => {
    const real = realDebug();
    const quiet = quietFactory(real);
    const off = quiet("bbb-test:off");
    expect(off.enabled).toBe(false);
    expect(off.namespace).toBe("bbb-test:off");
    expect(off("a", 1, {})).toBeUndefined();
    expect(off.extend?.("sub").namespace).toBe("bbb-test:off:sub");
    real.enable("bbb-test:on");
    try {
      const on = quiet("bbb-test:on");
      expect(on.enabled).toBe(true);
      // debug's own function: it formats and logs through its `log`.
      const lines: unknown[][] = [];
      (on as unknown as { log: (...a: unknown[]) => void }).log = (...a) => void lines.push(a);
      on("hello %s", "world");
      expect(lines[0]?.map(String).join(" ")).toMatch(/bbb-test:on hello %s world$/);
    } finally {
      real.disable();
    }
  });

  it("passes the rest of debug's interface through", () => {
    const real = realDebug();
    const quiet = quietFactory(real) as unknown as Record<string, unknown>;
    for (const k of ["enable", "disable", "enabled", "coerce", "formatters"]) expect(quiet[k]).toBe((real as unknown as Record<string, unknown>)[k]);
  });
});

describe("quietDebug", () => {
  it("mqtt-packet, loaded after the broker module, gets the quiet factory", () => {
    expect(mqttPacketQuiet).toBe(true);
    const debugOfMqttPacket = createRequire(mqttPacketFile)("debug") as DebugFactory;
    const fn = debugOfMqttPacket("mqtt-packet:parser");
    expect(fn.enabled).toBe(false);
    expect(fn.toString()).not.toContain("args");
    // Installing twice changes nothing.
    expect(quietDebug(mqttPacketFile, () => false)).toBe(true);
    expect(createRequire(mqttPacketFile)("debug")).toBe(debugOfMqttPacket);
  });

  it("says so when the package was loaded before it", () => {
    expect(quietDebug(mqttPacketFile, () => true)).toBe(false);
  });
});
