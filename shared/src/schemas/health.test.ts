import { describe, expect, it } from "vitest";
import { alarmLevel, DEFAULT_THRESHOLDS, mergeThresholds, thresholdSchema } from "./health.js";

const t = { warn: 70, crit: 85, hysteresis: 3 };

describe("alarmLevel", () => {
  it("rises at the limits", () => {
    expect(alarmLevel(69.9, "ok", t)).toBe("ok");
    expect(alarmLevel(70, "ok", t)).toBe("warning");
    expect(alarmLevel(85, "ok", t)).toBe("critical");
    expect(alarmLevel(90, "warning", t)).toBe("critical");
  });

  it("holds a level until the value falls below the limit minus the hysteresis", () => {
    // A value wobbling at the limit does not flap.
    const seq = [70, 69, 70.5, 68, 67.5, 66.9, 69.9];
    const levels: string[] = [];
    let lvl: "ok" | "warning" | "critical" = "ok";
    for (const v of seq) levels.push((lvl = alarmLevel(v, lvl, t)));
    expect(levels).toEqual(["warning", "warning", "warning", "warning", "warning", "ok", "ok"]);
    expect(alarmLevel(83, "critical", t)).toBe("critical");
    expect(alarmLevel(82, "critical", t)).toBe("warning");
    expect(alarmLevel(60, "critical", t)).toBe("ok");
  });

  it("ignores a disabled level", () => {
    expect(alarmLevel(1000, "ok", { warn: null, crit: 90, hysteresis: 0 })).toBe("critical");
    expect(alarmLevel(50, "ok", { warn: null, crit: 90, hysteresis: 0 })).toBe("ok");
    expect(alarmLevel(1000, "ok", { warn: null, crit: null, hysteresis: 0 })).toBe("ok");
  });
});

describe("thresholds", () => {
  it("a type overrides only the metrics it names", () => {
    const m = mergeThresholds(DEFAULT_THRESHOLDS, { tempC: { warn: 50, crit: 60, hysteresis: 1 } });
    expect(m.tempC.warn).toBe(50);
    expect(m.diskUsedPct).toEqual(DEFAULT_THRESHOLDS.diskUsedPct);
  });
  it("refuses warn above crit", () => {
    expect(thresholdSchema.safeParse({ warn: 90, crit: 80, hysteresis: 1 }).success).toBe(false);
  });
});
