import type { z } from "zod";
import { actionArgsSchemas } from "./actions.js";
import { commandSchema } from "./command.js";
import { iocsPayloadSchema } from "./epics.js";
import { heartbeatSchema } from "./heartbeat.js";
import { inventorySchema } from "./inventory.js";
import { logSchema } from "./log.js";
import { manifestSchema } from "./manifest.js";
import { managerRequestSchema, managerResponseSchema } from "./manager-rpc.js";
import { hostsVolatileSchema, hostViewSchema, nodeSchema, nodeViewSchema, sectorSchema, summarySchema, typeSchema } from "./registry.js";
import { resultSchema } from "./result.js";
import { managerStatusSchema, statusSchema } from "./status.js";

/** Every wire schema by the name its JSON Schema file gets in docs/schemas/. */
export const wireSchemas: Readonly<Record<string, z.ZodType>> = {
  status: statusSchema,
  heartbeat: heartbeatSchema,
  inventory: inventorySchema,
  command: commandSchema,
  result: resultSchema,
  log: logSchema,
  iocs: iocsPayloadSchema,
  "registry-host": hostViewSchema,
  "registry-node": nodeViewSchema,
  "registry-type": typeSchema,
  "registry-summary": summarySchema,
  "registry-volatile": hostsVolatileSchema,
  "manager-status": managerStatusSchema,
  "manager-request": managerRequestSchema,
  "manager-response": managerResponseSchema,
  node: nodeSchema,
  sector: sectorSchema,
  "project-manifest": manifestSchema,
  ...Object.fromEntries(Object.entries(actionArgsSchemas).map(([k, v]) => [`args-${k}`, v])),
};
