import { describe, expect, it } from "vitest";
import { hostsMetricsParamsSchema, metricStep, parseDuration } from "./metrics.js";

describe("hosts.metrics params", () => {
  it("parses a REST query string", () => {
    const p = hostsMetricsParamsSchema.parse({ id: "b1", fields: "tempC,load1", from: "1000", to: "90000000" });
    expect(p).toEqual({ id: "b1", fields: ["tempC", "load1"], from: 1000, to: 90_000_000 });
  });
  it("refuses an unknown field, a reversed range and a step under a minute", () => {
    expect(hostsMetricsParamsSchema.safeParse({ id: "b1", fields: ["cpu"] }).success).toBe(false);
    expect(hostsMetricsParamsSchema.safeParse({ id: "b1", from: 10, to: 5 }).success).toBe(false);
    expect(hostsMetricsParamsSchema.safeParse({ id: "b1", step: 1000 }).success).toBe(false);
  });
  it("chooses the finest whole-minute step within the point limit", () => {
    expect(metricStep(0, 3_600_000)).toBe(60_000);
    expect(metricStep(0, 90 * 86_400_000)).toBe(65 * 60_000);
    expect(metricStep(0, 3_600_000, 300_000)).toBe(300_000);
  });
});

describe("parseDuration", () => {
  it("reads s, m, h, d, w", () => {
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("90m")).toBe(5_400_000);
    expect(parseDuration("7d")).toBe(604_800_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("h")).toBeNull();
    expect(parseDuration("-1h")).toBeNull();
  });
});
