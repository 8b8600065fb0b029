import { z } from "zod";
import { boardIdSchema, sessionSchema } from "../ids.js";

export const serviceStates = ["active", "inactive", "failed", "activating", "deactivating", "unknown"] as const;
export const serviceStateSchema = z.enum(serviceStates);

/**
 * Payload of `<root>/<boardId>/heartbeat` (retained, QoS 0, every period). Unknown fields are
 * kept (loose object) and shown, never a reason to drop a beat.
 */
export const heartbeatSchema = z.looseObject({
  v: z.literal(1),
  id: boardIdSchema,
  session: sessionSchema,
  seq: z.number().int().nonnegative(),
  ts: z.number().int().nonnegative(),
  hostname: z.string().max(253),
  ip: z.string().max(45),
  type: z.string().max(64),
  uptime: z.number().nonnegative(),
  mac: z.string().max(32).optional(),
  ipMode: z.enum(["dhcp", "manual"]).optional(),
  netmask: z.string().max(15).optional(),
  gateway: z.string().max(15).optional(),
  nameservers: z.array(z.string().max(45)).max(8).optional(),
  pvPrefix: z.union([z.string().max(128), z.array(z.string().max(128)).max(16)]).optional(),
  details: z.string().max(256).optional(),
  load1: z.number().nonnegative().optional(),
  memUsedPct: z.number().min(0).max(100).optional(),
  diskUsedPct: z.number().min(0).max(100).optional(),
  tempC: z.number().min(-100).max(250).optional(),
  agentVersion: z.string().max(32).optional(),
  projectRevision: z.string().max(64).optional(),
  rcLocalHash: z.string().max(64).optional(),
  services: z.record(z.string().max(128), serviceStateSchema).optional(),
  /** Whether the board's clock is synchronised (timesyncd, timedatectl, chrony or ntpd; docs/protocol.md §"Time sync"). */
  timeSync: z.enum(["synced", "unsynced", "unknown"]).optional(),
  /** Offset from the time source as the sync daemon reports it (chrony, ntpd), in ms. */
  clockOffsetMs: z.number().min(-1e9).max(1e9).optional(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

/** PV prefixes of a heartbeat as a list. */
export function heartbeatPvPrefixes(hb: Pick<Heartbeat, "pvPrefix">): string[] {
  if (hb.pvPrefix === undefined) return [];
  return Array.isArray(hb.pvPrefix) ? hb.pvPrefix : [hb.pvPrefix];
}
