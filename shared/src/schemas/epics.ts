import { z } from "zod";
import { sessionSchema, unitNameSchema } from "../ids.js";

/**
 * EPICS IOC health (docs/epics.md): what a type declares about the IOCs its boards run, and
 * what the agent reports on `<root>/<boardId>/iocs` (docs/protocol.md §"Topic tree").
 */

/** An EPICS record name, or a pattern with the `$(P)` macro standing for each of the node's PV prefixes. */
export const pvPatternSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_:.\-{}[\]<>;$()]+$/, "PV name: EPICS name characters, $(P) for the node's PV prefix");

export const watchedPvSchema = z
  .object({
    pv: pvPatternSchema,
    /** A heartbeat PV: its value must change at least every `heartbeatS` seconds. */
    heartbeatS: z.number().int().min(1).max(3600).optional(),
  })
  .strict();
export type WatchedPv = z.infer<typeof watchedPvSchema>;

export const iocServiceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("systemd"), unit: unitNameSchema }).strict(),
  /** procServ's control port on the board (its banner names the child's PID, or says it is shut down). */
  z.object({ kind: z.literal("procserv"), port: z.number().int().min(1).max(65535) }).strict(),
]);
export type IocService = z.infer<typeof iocServiceSchema>;

export const iocNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "IOC name: 1-64 of A-Z a-z 0-9 _ . -");

export const iocDeclSchema = z
  .object({
    name: iocNameSchema,
    service: iocServiceSchema,
    pvs: z.array(watchedPvSchema).max(16).default([]),
  })
  .strict();
export type IocDecl = z.infer<typeof iocDeclSchema>;
export type IocDeclInput = z.input<typeof iocDeclSchema>;

/** The `iocs` list of a type: names unique. */
export const iocDeclListSchema = z
  .array(iocDeclSchema)
  .max(16)
  .refine((l) => new Set(l.map((i) => i.name)).size === l.length, "IOC names must be unique within a type");

/** What an agent takes from `<root>/registry/types/<type>`: only `iocs`, whatever else a type carries. */
export const typeIocsViewSchema = z.looseObject({ iocs: iocDeclListSchema.optional() });

export const pvStates = ["ok", "silent", "stuck", "pending"] as const;
export const pvStateSchema = z.enum(pvStates);
export type PvState = z.infer<typeof pvStateSchema>;

export const pvReportSchema = z
  .object({
    /** The full name searched (after `$(P)` expansion). */
    pv: z.string().max(128),
    /**
     * ok: answers (and, for a heartbeat PV, advances); silent: no server answers or the channel
     * dropped; stuck: a heartbeat PV that did not change within its interval; pending: not
     * judged yet (the first interval after start).
     */
    state: pvStateSchema,
    /** Every server (`ip:port`) that answered the last search: more than one is a duplicate. */
    servers: z.array(z.string().max(64)).max(8),
    /** Last value as text (at most 40 characters, as DBR_STRING). */
    value: z.string().max(40).nullable(),
    /** Board time (ms) of the last value change seen, null before the first value. */
    changedAt: z.number().int().nonnegative().nullable(),
    heartbeatS: z.number().int().positive().optional(),
  })
  .strict();
export type PvReport = z.infer<typeof pvReportSchema>;

export const iocReportSchema = z
  .object({
    name: iocNameSchema,
    service: iocServiceSchema,
    /** The process runs: systemd `ActiveState=active`, or procServ names a child PID. Null: could not tell. */
    running: z.boolean().nullable(),
    /** systemd `NRestarts`, or child PID changes procServ showed since the board booted. */
    restarts: z.number().int().nonnegative().nullable(),
    pid: z.number().int().positive().nullable(),
    /** Why `running` is null or false, as a short text (`ActiveState=failed`, `connection refused`). */
    detail: z.string().max(128).optional(),
    pvs: z.array(pvReportSchema).max(64),
  })
  .strict();
export type IocReport = z.infer<typeof iocReportSchema>;

/** Payload of `<root>/<boardId>/iocs` (retained, QoS 1): sent when anything in it changes. */
export const iocsPayloadSchema = z
  .object({
    v: z.literal(1),
    session: sessionSchema,
    ts: z.number().int().nonnegative(),
    /** The type whose declaration was checked. */
    type: z.string().max(64),
    iocs: z.array(iocReportSchema).max(16),
  })
  .strict();
export type IocsPayload = z.infer<typeof iocsPayloadSchema>;

export const MAX_IOCS_BYTES = 64 * 1024;

/** Full PV names of a pattern for a board's PV prefixes (`$(P)` once per prefix; none without prefixes). */
export function expandPv(pattern: string, prefixes: readonly string[]): string[] {
  if (!pattern.includes("$(P)")) return [pattern];
  return prefixes.map((p) => pattern.replaceAll("$(P)", p));
}
