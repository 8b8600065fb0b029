import { z } from "zod";
import { boardIdSchema, hostnameSchema } from "../ids.js";
import { ipv4Schema } from "../net.js";
import { boardStateSchema } from "../schemas/registry.js";

/**
 * hosts.conflicts: who already has an IP address or a hostname, asked before a set-ip,
 * set-hostname or a node edit sends it (`id`: the board being changed, left out of the answer).
 */
export const hostsConflictsParamsSchema = z
  .object({ id: boardIdSchema.optional(), ip: ipv4Schema.optional(), hostname: hostnameSchema.optional() })
  .strict()
  .refine((p) => p.ip !== undefined || p.hostname !== undefined, "give ip, hostname or both");
export type HostsConflictsParams = z.input<typeof hostsConflictsParamsSchema>;

/** One holder of the value: a board reporting it, or a node registered with it. */
export const conflictHolderSchema = z
  .object({
    field: z.enum(["ip", "hostname"]),
    value: z.string().max(253),
    /** "board": a board reports the value in its heartbeat; "node": a node is registered with it. */
    holder: z.enum(["board", "node"]),
    boardId: z.string().max(64).nullable(),
    hostname: z.string().max(253).nullable(),
    state: boardStateSchema.nullable(),
  })
  .strict();
export type ConflictHolder = z.infer<typeof conflictHolderSchema>;

export const hostsConflictsResultSchema = z.object({ conflicts: z.array(conflictHolderSchema).max(256) }).strict();
export type HostsConflictsResult = z.infer<typeof hostsConflictsResultSchema>;
