import type { HostsMetricsResult, MetricField } from "@bbb/shared";
import type uPlot from "uplot";

/** The board page's plots: which series each holds and how they read. */
export const CHARTS: readonly {
  id: string;
  title: string;
  unit: string;
  series: readonly { field: MetricField; label: string; colour: string }[];
}[] = [
  {
    id: "temp",
    title: "Temperature",
    unit: "°C",
    series: [{ field: "tempC", label: "CPU temperature", colour: "#e37400" }],
  },
  { id: "load", title: "Load", unit: "", series: [{ field: "load1", label: "load (1 min)", colour: "#1559c7" }] },
  {
    id: "usage",
    title: "Memory and disk",
    unit: "%",
    series: [
      { field: "memUsedPct", label: "memory used", colour: "#6a4fc8" },
      { field: "diskUsedPct", label: "disk used", colour: "#1e8e3e" },
    ],
  },
  { id: "uptime", title: "Uptime", unit: "h", series: [{ field: "uptime", label: "uptime", colour: "#7a8793" }] },
];

/** Ranges of the board page's plots. */
export const RANGES = [
  { label: "1 h", ms: 3_600_000 },
  { label: "24 h", ms: 86_400_000 },
  { label: "7 d", ms: 7 * 86_400_000 },
  { label: "90 d", ms: 90 * 86_400_000 },
] as const;

/** uPlot's columns: seconds on x, then one array per series (uptime in hours). */
export function chartData(r: HostsMetricsResult, chart: (typeof CHARTS)[number]): uPlot.AlignedData {
  const x = r.t.map((t) => t / 1000);
  const ys = chart.series.map((s) => {
    const col = r.series[s.field] ?? [];
    return s.field === "uptime" ? col.map((v) => (v === null ? null : Math.round((v / 3600) * 100) / 100)) : col;
  });
  return [x, ...ys] as uPlot.AlignedData;
}

export function chartOptions(
  chart: (typeof CHARTS)[number],
  width: number,
  css: (name: string) => string,
): uPlot.Options {
  const axis = {
    stroke: css("--muted"),
    grid: { stroke: css("--border"), width: 1 },
    ticks: { stroke: css("--border") },
  };
  const fmt = (v: number | null | undefined) =>
    v === null || v === undefined ? "—" : `${Math.round(v * 100) / 100}${chart.unit ? ` ${chart.unit}` : ""}`;
  return {
    width,
    height: 170,
    // Drag to zoom into a span, double-click to zoom out; hovering one plot shows the same time in all.
    cursor: { sync: { key: "board-health" }, drag: { x: true, y: false } },
    scales: { x: { time: true } },
    axes: [axis, { ...axis, size: 56, values: (_u, ticks) => ticks.map((t) => `${t}${chart.unit}`) }],
    series: [
      {},
      ...chart.series.map((s) => ({
        label: s.label,
        stroke: s.colour,
        width: 1.5,
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => fmt(v),
      })),
    ],
  };
}
