import { boardStateSchema } from "@bbb/shared";
import { z } from "zod";
import type { RegistryEvent } from "../../service/events.js";

const list = <T extends z.ZodType>(s: T) => z.array(s).max(1000).optional();

/**
 * Filter of `events.subscribe`. `states`, `sectors` and `types` narrow state changes (a command
 * result carries none of them); `boardIds` narrows both kinds; `kinds` picks the kinds.
 * An empty or absent list means "any".
 */
export const eventFilterSchema = z
  .object({
    states: list(boardStateSchema),
    sectors: list(z.string().max(64)),
    types: list(z.string().max(64)),
    boardIds: list(z.string().max(64)),
    kinds: list(z.enum(["state-change", "command-result", "problems-change"])),
  })
  .strict();
export type EventFilter = z.infer<typeof eventFilterSchema>;

export function compileEventFilter(f: EventFilter): (e: RegistryEvent) => boolean {
  const set = <T>(xs: T[] | undefined) => (xs && xs.length > 0 ? new Set<T>(xs) : null);
  const states = set(f.states);
  const sectors = set(f.sectors);
  const types = set(f.types);
  const boards = set(f.boardIds);
  const kinds = set(f.kinds);
  return (e) => {
    if (kinds && !kinds.has(e.kind)) return false;
    if (boards && !boards.has(e.boardId)) return false;
    if (e.kind === "state-change" || e.kind === "problems-change") {
      if (states && !states.has(e.kind === "state-change" ? e.to : e.state)) return false;
      if (sectors && (e.sector === null || !sectors.has(e.sector))) return false;
      if (types && (e.type === null || !types.has(e.type))) return false;
    }
    return true;
  };
}

/** Notification method names of the socket's event stream. */
export const EVENT_NOTIFICATIONS: Readonly<Record<RegistryEvent["kind"], string>> = {
  "state-change": "events.stateChange",
  "command-result": "events.commandResult",
  "problems-change": "events.problemsChange",
};
