import type { CliIo } from "./context.js";
import { CliError } from "./context.js";

export interface BulkPlan {
  /** What will be done, e.g. "reboot" or "forget". */
  what: string;
  /** Boards it touches now (a filter is counted when asked). */
  count: number;
  /** Selected by a filter rather than by listed ids. */
  byFilter: boolean;
  /** Given --yes: a script that knows what it does. */
  yes: boolean;
}

/**
 * Confirmation of a bulk action: --yes is for scripts; on a terminal the operator sees how many
 * boards will be touched and answers; a script without --yes may not run a filter-selected
 * action at all (a filter grows with the fleet). One board, none, or ids a script lists need no
 * confirmation. Throws a CliError (exit 2, nothing done) when not confirmed.
 */
export async function confirmBulk(io: Pick<CliIo, "confirm">, plan: BulkPlan): Promise<void> {
  if (plan.yes) return;
  // Nothing matched: the run does nothing, so there is nothing to confirm.
  if (plan.count === 0 || (!plan.byFilter && plan.count === 1)) return;
  const boards = `${plan.count} board${plan.count === 1 ? "" : "s"}`;
  if (io.confirm) {
    const sel = plan.byFilter ? " matching the filter" : "";
    if (await io.confirm(`${plan.what} ${boards}${sel}? [y/N] `)) return;
    throw new CliError(`${plan.what}: not confirmed, nothing was done`);
  }
  if (plan.byFilter)
    throw new CliError(`${plan.what} of every board matching the filter (${boards} now): add --yes to confirm`);
}

/** A y/yes answer (any case) confirms; anything else, an empty line or end of input declines. */
export const isYes = (answer: string | null): boolean => answer !== null && /^\s*y(es)?\s*$/i.test(answer);
