import { z } from "zod";
import { boardIdSchema } from "../ids.js";

/** `mosquitto.export`: mosquitto's password and ACL files (docs/deployment.md §"An existing MQTT broker"). */
export const mosquittoExportParamsSchema = z
  .object({
    /** Boards to admit beside those the registry knows (seen, or bound to a node): new boards before they first connect. */
    boards: z.array(boardIdSchema).max(10_000).optional(),
  })
  .strict()
  .default({});

export const mosquittoExportResultSchema = z
  .object({
    passwordFile: z.string(),
    aclFile: z.string(),
    boards: z.number().int(),
    users: z.number().int(),
    /** Users whose password the server has not seen since mosquitto hashes are kept: they must log in once (or get a new password). */
    usersWithoutHash: z.array(z.string()),
  })
  .strict();
export type MosquittoExportResult = z.infer<typeof mosquittoExportResultSchema>;
