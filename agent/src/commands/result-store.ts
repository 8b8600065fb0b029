import { z } from "zod";
import { isFinalStatus, resultSchema, type Result } from "@bbb/shared";
import { AgentErrorCodes } from "../errors.js";
import type { StateFiles } from "../state/state-files.js";

const FILE = "results.json";
const fileSchema = z.object({ v: z.literal(1), results: z.array(resultSchema) });

/** Actions whose expected end is the board going away: a restart in the middle means success. */
const ENDS_IN_REBOOT: ReadonlySet<string> = new Set(["reboot", "apply-node"]);

/**
 * The last result of each recent request id (docs/protocol.md §"Commands and results": a repeated id is answered
 * with the earlier result, never executed twice). Bounded (oldest dropped) and persisted to the
 * state dir at `accepted` and at the final status, so a restart does not re-execute a
 * redelivered duplicate.
 */
export function createResultStore(deps: { files: StateFiles; max?: number; onPersistError?: (e: unknown) => void }) {
  const max = deps.max ?? 500;
  const byId = new Map<string, Result>();
  let writing: Promise<void> = Promise.resolve();

  const persist = () => {
    const snapshot = { v: 1 as const, results: [...byId.values()] };
    writing = writing.then(() => deps.files.write(FILE, snapshot)).catch((e: unknown) => deps.onPersistError?.(e));
    return writing;
  };

  return {
    /**
     * Loads the persisted results. Entries that were not final when the agent stopped are
     * closed: `succeeded` for actions that end in a reboot, `failed`/AGENT_E_INTERRUPTED for the
     * rest. The closed ones are returned so the agent can publish them once connected.
     */
    async load(now: number): Promise<Result[]> {
      const r = fileSchema.safeParse(await deps.files.read(FILE));
      if (!r.success) return [];
      const closed: Result[] = [];
      for (const res of r.data.results.slice(-max)) {
        if (isFinalStatus(res.status)) {
          byId.set(res.id, res);
          continue;
        }
        const fin: Result = ENDS_IN_REBOOT.has(res.action)
          ? { v: 1, id: res.id, action: res.action, status: "succeeded", output: "board restarted", ts: now }
          : {
              v: 1,
              id: res.id,
              action: res.action,
              status: "failed",
              error: {
                code: AgentErrorCodes.INTERRUPTED,
                message: "the agent restarted while the command was pending",
              },
              ts: now,
            };
        byId.set(res.id, fin);
        closed.push(fin);
      }
      if (closed.length) await persist();
      return closed;
    },
    get: (id: string): Result | undefined => byId.get(id),
    has: (id: string): boolean => byId.has(id),
    /** Records the latest result of a request; persists at accepted and final statuses. */
    record(res: Result): Promise<void> {
      byId.delete(res.id);
      byId.set(res.id, res);
      while (byId.size > max) {
        const oldest = byId.keys().next().value;
        if (oldest === undefined) break;
        byId.delete(oldest);
      }
      return res.status === "running" ? Promise.resolve() : persist();
    },
    flush: () => writing,
  };
}
export type ResultStore = ReturnType<typeof createResultStore>;
