import { z } from "zod";

/** The health series kept per board (docs/protocol.md §"Health history"). */
export const metricFields = ["load1", "tempC", "memUsedPct", "diskUsedPct", "uptime", "clockOffsetMs"] as const;
export const metricFieldSchema = z.enum(metricFields);
export type MetricField = z.infer<typeof metricFieldSchema>;

/** Metrics that can carry alarm thresholds (clock offset compared by its absolute value). */
export const alarmMetrics = ["diskUsedPct", "tempC", "memUsedPct", "load1", "clockOffsetMs"] as const;
export type AlarmMetric = (typeof alarmMetrics)[number];

/**
 * Warn and critical limits of one metric. A level is raised when the value reaches its limit and
 * cleared only when it falls below the limit minus `hysteresis`, so a value wobbling at the limit
 * does not flap. A null limit disables that level.
 */
export const thresholdSchema = z
  .object({
    warn: z.number().nullable(),
    crit: z.number().nullable(),
    hysteresis: z.number().nonnegative(),
  })
  .strict()
  .refine((t) => t.warn === null || t.crit === null || t.warn <= t.crit, "warn must not be above crit");
export type Threshold = z.infer<typeof thresholdSchema>;

/** Per-metric thresholds; a type gives only the metrics it overrides. */
export const thresholdsSchema = z
  .object({
    diskUsedPct: thresholdSchema.optional(),
    tempC: thresholdSchema.optional(),
    memUsedPct: thresholdSchema.optional(),
    load1: thresholdSchema.optional(),
    clockOffsetMs: thresholdSchema.optional(),
  })
  .strict();
export type Thresholds = z.infer<typeof thresholdsSchema>;
export type FullThresholds = Record<AlarmMetric, Threshold>;

/** Fleet defaults (docs/configuration.md `thresholds` overrides them, a type overrides both). */
export const DEFAULT_THRESHOLDS: FullThresholds = {
  diskUsedPct: { warn: 85, crit: 95, hysteresis: 2 },
  tempC: { warn: 70, crit: 85, hysteresis: 3 },
  memUsedPct: { warn: 90, crit: 97, hysteresis: 3 },
  load1: { warn: 4, crit: 8, hysteresis: 0.5 },
  clockOffsetMs: { warn: 2000, crit: 30_000, hysteresis: 500 },
};

export function mergeThresholds(base: FullThresholds, over: Thresholds | undefined | null): FullThresholds {
  if (!over) return base;
  const out = { ...base };
  for (const m of alarmMetrics) {
    const t = over[m];
    if (t) out[m] = t;
  }
  return out;
}

export type AlarmLevel = "ok" | "warning" | "critical";
const RANK: Record<AlarmLevel, number> = { ok: 0, warning: 1, critical: 2 };

/**
 * The alarm level of one value given the level it had: rising needs the limit, falling needs the
 * limit minus the hysteresis. A pure function, tested with plain numbers.
 */
export function alarmLevel(value: number, previous: AlarmLevel, t: Threshold): AlarmLevel {
  const held = (limit: number | null, level: AlarmLevel) =>
    limit !== null && (value >= limit || (RANK[previous] >= RANK[level] && value > limit - t.hysteresis));
  if (held(t.crit, "critical")) return "critical";
  if (held(t.warn, "warning")) return "warning";
  return "ok";
}
