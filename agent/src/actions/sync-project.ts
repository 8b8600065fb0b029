import { CodedError, errorMessage } from "@bbb/shared";
import { AgentErrorCodes } from "../errors.js";
import type { ActionDef } from "./types.js";

const MAX_LISTED = 200;
const MAX_DIFF_CHARS = 16 * 1024;

/**
 * Syncs the type's project through the injected ProjectSync (agent/src/sync/). Progress goes
 * out as `running` results; the outcome (revision, changed/removed files, rc.local diff) as data,
 * with lists capped so a result stays far below the broker's packet limit.
 */
export const syncProject: ActionDef<"sync-project"> = {
  async run({ args, sys, signal, progress }) {
    const ps = sys.projectSync;
    if (!ps) throw new CodedError(AgentErrorCodes.SYNC_UNAVAILABLE, "project sync is not configured on this board");
    const dryRun = args.dryRun ?? false;
    let out;
    try {
      out = await ps.sync({
        dryRun,
        signal,
        onProgress(p) {
          const frac = p.totalBytes > 0 ? p.bytes / p.totalBytes : p.totalFiles > 0 ? p.files / p.totalFiles : 0;
          progress(Math.min(1, Math.max(0, frac)), { ...p });
        },
      });
    } catch (e: unknown) {
      if (e instanceof CodedError) throw e;
      throw new CodedError(AgentErrorCodes.SYNC_FAILED, errorMessage(e));
    }
    const data: Record<string, unknown> = {
      ...(out.data ?? {}),
      dryRun,
      revision: out.revision,
      changedCount: out.changed.length,
      removedCount: out.removed.length,
      changed: out.changed.slice(0, MAX_LISTED),
      removed: out.removed.slice(0, MAX_LISTED),
    };
    if (out.rcLocalDiff !== undefined) data.rcLocalDiff = out.rcLocalDiff.slice(0, MAX_DIFF_CHARS);
    return { data };
  },
};
