import { describe, expect, it } from "vitest";
import type { Heartbeat } from "@bbb/shared";
import { mergeHeartbeat } from "./heartbeat-merge.js";

const beat = (over: Partial<Heartbeat> & Record<string, unknown> = {}): Heartbeat => ({
  v: 1,
  id: "b1",
  session: "s1",
  seq: 1,
  ts: 1_700_000_000_000,
  hostname: "bbb-1",
  ip: "10.0.0.5",
  type: "mbtemp",
  uptime: 100,
  nameservers: ["10.0.0.1"],
  services: { "bbb-agent": "active" },
  ...over,
});

describe("mergeHeartbeat", () => {
  it("takes the first beat as it is", () => {
    const hb = beat();
    expect(mergeHeartbeat(null, hb)).toBe(hb);
  });

  it("updates the stored object in place with the new values", () => {
    const stored = beat();
    const next = beat({ seq: 2, uptime: 101, load1: 0.5, hostname: "bbb-2" });
    const out = mergeHeartbeat(stored, next);
    expect(out).toBe(stored);
    expect(out).toEqual(next);
  });

  it("keeps the stored lists and maps when their contents did not change", () => {
    const stored = beat();
    const ns = stored.nameservers;
    const svc = stored.services;
    mergeHeartbeat(stored, beat({ seq: 2, nameservers: ["10.0.0.1"], services: { "bbb-agent": "active" } }));
    expect(stored.nameservers).toBe(ns);
    expect(stored.services).toBe(svc);
  });

  it("replaces a list or map whose contents changed", () => {
    const stored = beat();
    mergeHeartbeat(stored, beat({ nameservers: ["10.0.0.1", "10.0.0.2"], services: { "bbb-agent": "failed" } }));
    expect(stored.nameservers).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(stored.services).toEqual({ "bbb-agent": "failed" });
    mergeHeartbeat(stored, beat({ services: { other: "failed" } }));
    expect(stored.services).toEqual({ other: "failed" });
  });

  it("drops fields the new beat no longer has and keeps unknown ones it sends", () => {
    const stored = beat({ details: "old", extra: { a: 1 } });
    mergeHeartbeat(stored, beat({ seq: 3, custom: "x" }));
    expect(stored).not.toHaveProperty("details");
    expect(stored).not.toHaveProperty("extra");
    expect(stored).toHaveProperty("custom", "x");
  });
});
