import { readFileSync, renameSync, writeFileSync, fsyncSync, openSync, closeSync } from "node:fs";
import { roleSchema } from "@bbb/shared";
import { z } from "zod";
import type { TokenPersistence, TokenRecord } from "./tokens.js";

export const TOKENS_FILE = "api-tokens.json";

const fileSchema = z.object({
  tokens: z.array(
    z.object({
      id: z.string().min(1).max(64),
      username: z.string().min(1).max(128),
      role: roleSchema,
      issuedAt: z.number().int(),
      expiresAt: z.number().int(),
    }),
  ),
});

/**
 * Token ids in one JSON file of the data dir (0600), replaced atomically with an fsync before
 * the rename: after a kill -9 the list is the old or the new one, never half of either.
 * An unreadable file revokes every token (the safe side) and is reported.
 */
export function createTokenFile(file: string, onCorrupt: (err: unknown) => void): TokenPersistence {
  return {
    load(): TokenRecord[] {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e: unknown) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") onCorrupt(e);
        return [];
      }
      let value: unknown = null;
      try {
        value = JSON.parse(text);
      } catch {
        // Reported below as not a token list.
      }
      const r = fileSchema.safeParse(value);
      if (!r.success) {
        onCorrupt(new Error(`${file} is not a token list`));
        return [];
      }
      return r.data.tokens.map((t) => ({ ...t, lastUsedAt: null }));
    },
    save(records) {
      const tmp = `${file}.tmp`;
      const body = JSON.stringify({
        tokens: records.map(({ id, username, role, issuedAt, expiresAt }) => ({
          id,
          username,
          role,
          issuedAt,
          expiresAt,
        })),
      });
      writeFileSync(tmp, body, { mode: 0o600 });
      const fd = openSync(tmp, "r");
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
    },
  };
}
