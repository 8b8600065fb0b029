import { boardStateSchema, problemCodeSchema } from "@bbb/shared";
import { z } from "zod";

const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "id: 1-64 of A-Z a-z 0-9 _ . - starting with a letter or digit");
const names = z.array(z.string().min(1).max(64)).max(1000).default([]);

/** Only http(s) receivers: no file:, data: or other schemes reach fetch. */
const urlSchema = z
  .string()
  .max(2048)
  .refine((u) => {
    try {
      const p = new URL(u).protocol;
      return p === "http:" || p === "https:";
    } catch {
      return false;
    }
  }, "url: an http:// or https:// URL");

/**
 * A webhook rule: POST to `url` when a board matching the filters has been in one of `states`
 * for longer than `delayMs`. Boards of one sector that fire within `groupWindowMs` of each other
 * are one incident (a sector outage is one notification, not forty).
 */
export const webhookRuleObjectSchema = z
  .object({
    id: idSchema,
    name: z.string().max(128).default(""),
    url: urlSchema,
    enabled: z.boolean().default(true),
    states: z.array(boardStateSchema).max(8).default(["lost"]),
    /**
     * Problem codes (e.g. `ioc-down`, `pv-silent` of docs/epics.md, `threshold`, `time-unsynced`
     * of docs/protocol.md §"Alarms"): when given, the rule fires for boards having one of these
     * problems for longer than `delayMs`, whatever their state (`states` is then not used);
     * `threshold` counts from `severity` up.
     */
    problems: z.array(problemCodeSchema).max(32).default([]),
    severity: z.enum(["warning", "critical"]).default("warning"),
    delayMs: z
      .number()
      .int()
      .min(0)
      .max(24 * 3600_000)
      .default(30_000),
    sectors: names,
    types: names,
    boardIds: names,
    groupWindowMs: z
      .number()
      .int()
      .min(0)
      .max(10 * 60_000)
      .default(10_000),
    sendResolved: z.boolean().default(true),
    /** Extra request headers (e.g. the receiver's own auth). */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().max(1024)).default({}),
    /** When set, each delivery carries `x-bbb-signature: sha256=<HMAC of the body>`. */
    secret: z.string().min(8).max(256).nullable().default(null),
  })
  .strict();
export const webhookRuleSchema = webhookRuleObjectSchema.refine(
  (r) => r.states.length > 0 || r.problems.length > 0,
  "give at least one state or problem code",
);
export type WebhookRule = z.infer<typeof webhookRuleSchema>;
export type WebhookRuleInput = z.input<typeof webhookRuleSchema>;

/** A maintenance window: rules stay silent for these boards / sectors (or all) until `until`. */
export const maintenanceWindowSchema = z
  .object({
    id: idSchema,
    reason: z.string().max(512).default(""),
    all: z.boolean().default(false),
    boardIds: names,
    sectors: names,
    /** Start (ms since the epoch); null = now. */
    from: z.number().int().nonnegative().nullable().default(null),
    until: z.number().int().nonnegative(),
    by: z.string().max(128).nullable().default(null),
  })
  .strict()
  .refine((w) => w.all || w.boardIds.length > 0 || w.sectors.length > 0, "give boardIds, sectors or all: true")
  .refine((w) => w.from === null || w.from < w.until, "from must be before until");
export type MaintenanceWindow = z.infer<typeof maintenanceWindowSchema>;
export type MaintenanceWindowInput = z.input<typeof maintenanceWindowSchema>;

export const webhookDataSchema = z
  .object({
    v: z.literal(1).default(1),
    rules: z.array(webhookRuleSchema).default([]),
    windows: z.array(maintenanceWindowSchema).default([]),
  })
  .strict();
export type WebhookData = z.infer<typeof webhookDataSchema>;

export const deliveryStatuses = ["pending", "delivered", "failed", "silenced"] as const;

/** One entry of the delivery log. */
export const deliverySchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    incidentId: z.string(),
    event: z.enum(["firing", "resolved", "silenced"]),
    url: z.string(),
    status: z.enum(deliveryStatuses),
    attempts: z.number().int().nonnegative(),
    httpStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    boards: z.number().int().nonnegative(),
    createdAt: z.number().int(),
    finishedAt: z.number().int().nullable(),
  })
  .strict();
export type Delivery = z.infer<typeof deliverySchema>;

/** Body POSTed to a receiver. `text` is a one-line summary that chat webhooks display as is. */
export interface IncidentPayload {
  v: 1;
  event: "firing" | "resolved";
  text: string;
  incident: {
    id: string;
    rule: { id: string; name: string };
    sector: string | null;
    states: string[];
    /** The rule's problem codes (empty for a state rule). */
    problems: string[];
    openedAt: number;
    resolvedAt: number | null;
    boards: {
      boardId: string;
      hostname: string | null;
      type: string | null;
      state: string;
      since: number;
      /** For a problem rule: the board's matching problems as they were when it fired. */
      problems?: { code: string; message: string }[];
    }[];
  };
  ts: number;
}
