import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { writeFileAtomic } from "@bbb/shared/node";

/**
 * JSON files in the agent's state directory (a host path, e.g. /var/lib/bbb-agent), written
 * atomically so a power cut mid-write leaves the previous version.
 */
export function createStateFiles(dir: string) {
  return {
    dir,
    async read(name: string): Promise<unknown> {
      try {
        return JSON.parse(await fsp.readFile(path.join(dir, name), "utf8")) as unknown;
      } catch {
        return null;
      }
    },
    write: (name: string, value: unknown): Promise<void> => writeFileAtomic(path.join(dir, name), JSON.stringify(value), 0o600),
  };
}
export type StateFiles = ReturnType<typeof createStateFiles>;
