import { z } from "zod";
import { pvPrefixSchema } from "@bbb/shared";
import type { StateFiles } from "./state-files.js";

/** What apply-node adopted and the heartbeat reports (docs/protocol.md §"Commands and results": apply-node). */
export const nodeSettingsSchema = z.object({
  type: z.string().min(1).max(64).optional(),
  pvPrefix: z.array(pvPrefixSchema).max(16).optional(),
});
export type NodeSettings = z.infer<typeof nodeSettingsSchema>;

const FILE = "node.json";

export function createNodeSettings(files: StateFiles) {
  let current: NodeSettings = {};
  return {
    async load(): Promise<NodeSettings> {
      const r = nodeSettingsSchema.safeParse(await files.read(FILE));
      current = r.success ? r.data : {};
      return current;
    },
    get: (): NodeSettings => current,
    async save(s: NodeSettings): Promise<void> {
      await files.write(FILE, s);
      current = s;
    },
  };
}
export type NodeSettingsStore = ReturnType<typeof createNodeSettings>;
