import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { randomBytes } from "node:crypto";

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
    async write(name: string, value: unknown): Promise<void> {
      await fsp.mkdir(dir, { recursive: true });
      const target = path.join(dir, name);
      const tmp = `${target}.tmp-${randomBytes(4).toString("hex")}`;
      try {
        const fh = await fsp.open(tmp, "w", 0o600);
        try {
          await fh.writeFile(JSON.stringify(value));
          await fh.sync();
        } finally {
          await fh.close();
        }
        await fsp.rename(tmp, target);
      } catch (e: unknown) {
        await fsp.rm(tmp, { force: true });
        throw e;
      }
    },
  };
}
export type StateFiles = ReturnType<typeof createStateFiles>;
