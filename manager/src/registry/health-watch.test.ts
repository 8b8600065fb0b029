import { describe, expect, it } from "vitest";
import { DEFAULT_THRESHOLDS, typeSchema, type Heartbeat, type Inventory } from "@bbb/shared";
import { node as fixtureNode, heartbeat, registryFixture } from "../../test/registry-fixture.js";
import type { HealthTransition } from "./health-watch.js";

// The registry with a hand-driven clock and recording sinks: alarms, reboots and inventory.
function setup() {
  const alarms: HealthTransition[] = [];
  const reboots: [number, number][] = [];
  const problemChanges: string[][] = [];
  const f = registryFixture({
    sink: { problemsChanged: (e) => problemChanges.push(e.problems.map((p) => p.code)) },
    health: {
      fleet: () => DEFAULT_THRESHOLDS,
      sink: {
        alarmChanged: (_rec, c) => alarms.push(c),
        unexpectedReboot: (_rec, prev, up) => reboots.push([prev, up]),
      },
    },
  });
  return { reg: f.reg, alarms, reboots, problemChanges, tick: (ms = 1000) => f.advance(ms), now: f.now };
}

const beat = (session: string, over: Partial<Heartbeat> = {}): Heartbeat =>
  heartbeat("b1", session, { uptime: 1000, ...over });
const node = fixtureNode("h-b1");

const threshold = (s: ReturnType<typeof setup>) =>
  s.reg.records
    .get("b1")
    ?.problems.filter((p) => p.code === "threshold")
    .map((p) => `${p.field}:${p.severity}`);

describe("health alarms", () => {
  it("raises, holds and clears a temperature alarm with hysteresis, without flapping", () => {
    const s = setup();
    s.reg.setNodes([node]);
    for (const temp of [60, 70, 69, 70.5, 86, 84, 81, 66.9]) {
      s.tick();
      s.reg.applyHeartbeat("b1", beat("s1", { tempC: temp }), false);
    }
    expect(s.alarms.map((a) => `${a.from}>${a.to}`)).toEqual([
      "ok>warning",
      "warning>critical",
      "critical>warning",
      "warning>ok",
    ]);
    expect(s.reg.records.get("b1")?.state).toBe("online");
    expect(s.problemChanges.map((c) => c.join())).toEqual(["threshold", "threshold", "threshold", ""]);
  });

  it("shows the peak of a raised alarm, republished only when it rises by more than the hysteresis", () => {
    const s = setup();
    for (const temp of [72, 73, 74.5, 74, 78]) {
      s.tick();
      s.reg.applyHeartbeat("b1", beat("s1", { tempC: temp }), false);
    }
    const p = s.reg.records.get("b1")?.problems.find((x) => x.code === "threshold");
    expect(p).toMatchObject({ actual: "78", message: "temperature up to 78 °C, over the warning limit 70 °C" });
    // 73, 74.5 and 74 are within the hysteresis of the peak: only 78 is published.
    expect(s.problemChanges).toHaveLength(1);
    expect(s.alarms).toHaveLength(1);
  });

  it("uses the type's thresholds over the fleet defaults", () => {
    const s = setup();
    s.reg.setTypes([
      typeSchema.parse({ name: "mbtemp", thresholds: { diskUsedPct: { warn: 50, crit: 60, hysteresis: 1 } } }),
    ]);
    s.reg.applyHeartbeat("b1", beat("s1", { diskUsedPct: 55, tempC: 75 }), false);
    expect(threshold(s)).toEqual(["diskUsedPct:warning", "tempC:warning"]);
  });

  it("is a problem when the board's clock is not synchronised", () => {
    const s = setup();
    s.reg.applyHeartbeat("b1", beat("s1", { timeSync: "synced" }), false);
    s.tick();
    s.reg.applyHeartbeat("b1", beat("s1", { timeSync: "unsynced" }), false);
    expect(s.reg.records.get("b1")?.problems.map((p) => p.code)).toContain("time-unsynced");
    s.tick();
    s.reg.applyHeartbeat("b1", beat("s1", { timeSync: "synced" }), false);
    expect(s.reg.records.get("b1")?.problems.map((p) => p.code)).not.toContain("time-unsynced");
    expect(s.alarms.map((a) => `${a.metric}:${a.to}`)).toEqual(["timeSync:unsynced", "timeSync:synced"]);
  });
});

describe("unexpected reboots", () => {
  it("counts uptime going backwards without a reboot command, not a reboot we asked for", () => {
    const s = setup();
    s.reg.applyHeartbeat("b1", beat("s1", { uptime: 5000 }), false);
    s.tick();
    s.reg.applyHeartbeat("b1", beat("s2", { uptime: 30 }), false);
    expect(s.reboots).toEqual([[5000, 30]]);
    s.tick();
    s.reg.markRebooting("b1");
    s.tick();
    s.reg.applyHeartbeat("b1", beat("s3", { uptime: 20 }), false);
    expect(s.reboots).toHaveLength(1);
    // An agent restart keeps the uptime growing: no reboot.
    s.tick();
    s.reg.applyHeartbeat("b1", beat("s4", { uptime: 40 }), false);
    expect(s.reboots).toHaveLength(1);
    const view = s.reg.hostView(s.reg.records.get("b1")!);
    expect(view.reboots).toEqual({ total: 1, last24h: 1, lastAt: 1_001_000 });
    s.tick(86_400_000);
    expect(s.reg.hostView(s.reg.records.get("b1")!).reboots?.last24h).toBe(0);
  });
});

describe("inventory expectations", () => {
  const inv = (kernel: string): Inventory => ({
    v: 1,
    id: "b1",
    ts: 1,
    kernel,
    image: null,
    debian: "11.8",
    overlays: ["BB-UART1-00A0"],
    uEnv: [],
    node: "v18.20.4",
    agent: "0.1.0",
    storage: [],
  });
  it("makes a board misconfigured with the differing field, and online again when it matches", () => {
    const s = setup();
    s.reg.setNodes([node]);
    s.reg.setTypes([
      typeSchema.parse({ name: "mbtemp", expect: { kernel: "5.10.168-ti-r71", overlays: ["BB-UART1-00A0"] } }),
    ]);
    s.reg.applyHeartbeat("b1", beat("s1"), false);
    expect(s.reg.records.get("b1")?.state).toBe("online");
    s.reg.applyInventory("b1", inv("4.14.108-ti-r131"));
    const rec = s.reg.records.get("b1")!;
    expect(rec.state).toBe("misconfigured");
    expect(rec.problems[0]).toMatchObject({ code: "mismatch", field: "inventory.kernel", actual: "4.14.108-ti-r131" });
    s.reg.applyInventory("b1", inv("5.10.168-ti-r71"));
    expect(s.reg.records.get("b1")?.state).toBe("online");
    expect(s.reg.hostView(s.reg.records.get("b1")!).inventory?.kernel).toBe("5.10.168-ti-r71");
  });
});
