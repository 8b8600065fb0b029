import { z } from "zod";
import { hostnameSchema, unitNameSchema } from "../ids.js";
import { ipConfigSchema, ipv4Schema } from "../net.js";

/** Arguments of every action (docs/protocol.md §"Commands and results"); `{}` stands for "no arguments". */
const none = z.object({}).strict();

export const setHostnameArgsSchema = z.object({ hostname: hostnameSchema }).strict();
export const setIpArgsSchema = ipConfigSchema;
export const setNameserversArgsSchema = z.object({ servers: z.array(ipv4Schema).min(1).max(3) }).strict();
export const syncProjectArgsSchema = z.object({ dryRun: z.boolean().optional() }).strict();
export const serviceArgsSchema = z.object({ name: unitNameSchema }).strict();
export const identifyArgsSchema = z.object({ seconds: z.number().int().min(1).max(600).optional() }).strict();
export const pvPrefixSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9_:.\-{}$]+$/, "PV prefix: EPICS name characters");

/** What apply-node makes a board adopt (the node the manager holds for it), then reboot. */
export const applyNodeArgsSchema = z
  .object({
    hostname: hostnameSchema,
    ip: ipConfigSchema,
    nameservers: z.array(ipv4Schema).min(1).max(3).optional(),
    type: z.string().min(1).max(64),
    pvPrefix: z.array(pvPrefixSchema).max(16).optional(),
    reboot: z.boolean().optional(),
  })
  .strict();

export const actionArgsSchemas = {
  reboot: none,
  "set-hostname": setHostnameArgsSchema,
  "set-ip": setIpArgsSchema,
  "set-nameservers": setNameserversArgsSchema,
  "sync-project": syncProjectArgsSchema,
  "restart-service": serviceArgsSchema,
  "stop-service": serviceArgsSchema,
  "apply-node": applyNodeArgsSchema,
  identify: identifyArgsSchema,
  ping: none,
} as const;

export type ActionName = keyof typeof actionArgsSchemas;
export const actionNames = Object.keys(actionArgsSchemas) as ActionName[];
export type ActionArgs<A extends ActionName> = z.output<(typeof actionArgsSchemas)[A]>;
export type ActionArgsInput<A extends ActionName> = z.input<(typeof actionArgsSchemas)[A]>;
export const actionNameSchema = z.enum(actionNames as [ActionName, ...ActionName[]]);

export function isActionName(s: string): s is ActionName {
  return Object.hasOwn(actionArgsSchemas, s);
}

/** Actions after which a board is expected to go away for a while (the `rebooting` state). */
export const REBOOTING_ACTIONS: readonly ActionName[] = ["reboot", "apply-node"];
/** Actions during which the agent reconnects on purpose (it disconnects cleanly, so no will). */
export const NETWORK_CHANGE_ACTIONS: readonly ActionName[] = ["set-ip", "apply-node"];
