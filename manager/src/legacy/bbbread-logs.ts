import type { Redis } from "ioredis";
import { logsKey } from "./bbbread-hash.js";
import type { LegacyBoard } from "./legacy-board.js";

export interface BbbreadLogsDeps {
  cmd: Redis;
  /** A line the bridge wrote itself (replace mode): not the board's. */
  own: (key: string, field: string, text: string) => boolean;
  /** A new line of a board (epoch seconds, text). */
  line: (board: LegacyBoard, epochS: number, text: string) => void;
}

/**
 * A board's `…:Logs` hash (docs/legacy-protocols.md "Logs"): epoch seconds → text. Lines present
 * at the first read are not replayed; a field whose text changed is a new line (two lines in one
 * second share a field).
 */
export function createBbbreadLogs(deps: BbbreadLogsDeps) {
  const seen = new Map<string, Map<string, string>>();
  return {
    known: (key: string) => seen.has(key),
    forget(key: string): void {
      seen.delete(key);
    },
    async read(key: string, board: LegacyBoard | null): Promise<void> {
      const all = await deps.cmd.hgetall(logsKey(key));
      const first = !seen.has(key);
      const mine = seen.get(key) ?? new Map<string, string>();
      seen.set(key, mine);
      for (const [f, text] of Object.entries(all)) {
        if (mine.get(f) === text) continue;
        mine.set(f, text);
        if (first || deps.own(key, f, text) || !board) continue;
        const epoch = Number(f);
        if (Number.isSafeInteger(epoch) && epoch >= 0) deps.line(board, epoch, text);
      }
    },
    /** The whole hash, newest first (at most 1,000 lines). */
    async all(key: string): Promise<{ ts: number; text: string }[]> {
      const all = await deps.cmd.hgetall(logsKey(key));
      return Object.entries(all)
        .map(([f, text]) => ({ ts: Number(f) * 1000, text: text.slice(0, 4096) }))
        .filter((x) => Number.isSafeInteger(x.ts) && x.ts >= 0)
        .sort((a, b) => b.ts - a.ts)
        .slice(0, 1000);
    },
  };
}
