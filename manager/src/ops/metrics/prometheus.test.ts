import { describe, expect, it } from "vitest";
import { createMetricsRegistry } from "./prometheus.js";

describe("Prometheus text exposition", () => {
  it("writes HELP/TYPE, labelled counters, escaped label values and cumulative histograms", () => {
    const reg = createMetricsRegistry();
    const c = reg.counter("x_total", "A counter\nover two lines.");
    c.inc();
    c.inc({ kind: 'a"b\\c\nd' }, 2);
    const h = reg.histogram("lat_seconds", "Latency.", [0.1, 1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    reg.gauge("g", "A gauge.", () => [{ labels: { s: "on" }, value: 3 }]);
    reg.gauge("absent", "Not known yet.", () => null);
    expect(reg.render()).toBe(
      [
        "# HELP x_total A counter\\nover two lines.",
        "# TYPE x_total counter",
        "x_total 1",
        'x_total{kind="a\\"b\\\\c\\nd"} 2',
        "# HELP lat_seconds Latency.",
        "# TYPE lat_seconds histogram",
        'lat_seconds_bucket{le="0.1"} 1',
        'lat_seconds_bucket{le="1"} 2',
        'lat_seconds_bucket{le="+Inf"} 3',
        "lat_seconds_sum 5.55",
        "lat_seconds_count 3",
        "# HELP g A gauge.",
        "# TYPE g gauge",
        'g{s="on"} 3',
        "# HELP absent Not known yet.",
        "# TYPE absent gauge",
        "",
      ].join("\n"),
    );
  });

  it("refuses a name registered twice and survives a failing collector", () => {
    const reg = createMetricsRegistry();
    reg.gauge("boom", "Throws.", () => {
      throw new Error("closed");
    });
    expect(() => reg.counter("boom", "again")).toThrow(/twice/);
    expect(reg.render()).toBe("# HELP boom Throws.\n# TYPE boom gauge\n");
  });
});
