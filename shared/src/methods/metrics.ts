import { z } from "zod";
import { boardIdSchema } from "../ids.js";
import { metricFieldSchema, metricFields } from "../schemas/health.js";

/** Finest step of the stored series: one point a minute (docs/protocol.md §"Health history"). */
export const METRIC_MIN_STEP_MS = 60_000;
/** Most points one hosts.metrics answer carries; a coarser step is chosen beyond it. */
export const METRIC_MAX_POINTS = 2000;
const MAX_SPAN_MS = 400 * 86_400_000;

/**
 * hosts.metrics: series of one board between `from` and `to` (ms since the epoch; default the
 * last 24 h) at `step` ms (default: the finest step giving at most METRIC_MAX_POINTS points).
 */
export const hostsMetricsParamsSchema = z
  .object({
    id: boardIdSchema,
    fields: z
      .preprocess(
        (v) => (typeof v === "string" ? v.split(",") : v),
        z.array(metricFieldSchema).min(1).max(metricFields.length),
      )
      .optional(),
    from: z.coerce.number().int().nonnegative().optional(),
    to: z.coerce.number().int().nonnegative().optional(),
    step: z.coerce
      .number()
      .int()
      .min(METRIC_MIN_STEP_MS)
      .max(7 * 86_400_000)
      .optional(),
  })
  .strict()
  .refine((p) => p.from === undefined || p.to === undefined || p.from < p.to, "from must be before to")
  .refine((p) => p.from === undefined || p.to === undefined || p.to - p.from <= MAX_SPAN_MS, "at most 400 days");
export type HostsMetricsParams = z.input<typeof hostsMetricsParamsSchema>;

/** Columns: `t` (bucket start, ms) and one array per field, null where the board sent nothing. */
export const hostsMetricsResultSchema = z
  .object({
    id: z.string(),
    from: z.number().int(),
    to: z.number().int(),
    step: z.number().int().positive(),
    t: z.array(z.number().int()),
    series: z.partialRecord(metricFieldSchema, z.array(z.number().nullable())),
  })
  .strict();
export type HostsMetricsResult = z.infer<typeof hostsMetricsResultSchema>;

/** The step hosts.metrics uses: the one asked for, or the finest whole minute within the point limit. */
export function metricStep(from: number, to: number, step?: number): number {
  if (step !== undefined) return Math.max(step, Math.ceil((to - from) / METRIC_MAX_POINTS / 60_000) * 60_000);
  return Math.max(METRIC_MIN_STEP_MS, Math.ceil((to - from) / METRIC_MAX_POINTS / 60_000) * 60_000);
}

/** `24h`, `90m`, `7d`, `30s` → ms; null for anything else. */
export function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d|w)$/.exec(text.trim());
  if (!m) return null;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[
    m[2] as "s" | "m" | "h" | "d" | "w"
  ];
  return Math.round(Number(m[1]) * unit);
}
