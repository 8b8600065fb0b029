import type { ActionName, Result } from "@bbb/shared";
import { ManagerErrorCodes } from "../errors.js";
import type { LegacyBoard } from "./legacy-board.js";
import type { LegacyCommand } from "./legacy-commands.js";

/** One command sent to a legacy board, waiting for its effect (docs/legacy-protocols.md "Results"). */
interface Watch {
  requestId: string;
  boardId: string;
  action: ActionName;
  cmd: LegacyCommand;
  ip: string;
  hostname: string;
  deadline: number;
  /** The board took it (bbbread: gone from its list; bbb-daemon: delivered on TCP). */
  takenAt: number | null;
  lastWrite: number;
  /** A reboot: silence longer than this after the command was taken, then a write. */
  silenceMs: number;
  sawSilence: boolean;
  logSeen: boolean;
}

export interface EffectsDeps {
  now: () => number;
  /** `board`: what the board reports now, when its report decided the result (it may have moved). */
  report: (boardId: string, r: Result, board?: LegacyBoard) => void;
  /** A command given up on: bbbread's list entry is removed so a returning board does not run it late. */
  expired?: (w: { boardId: string; requestId: string; cmd: LegacyCommand; taken: boolean }) => void;
}

const result = (
  requestId: string,
  action: string,
  status: Result["status"],
  ts: number,
  error?: Result["error"],
): Result => ({
  v: 1,
  id: requestId,
  action,
  status,
  ts,
  ...(error ? { error } : {}),
});

const sameBoard = (w: Watch, b: Pick<LegacyBoard, "ip" | "hostname">) =>
  b.ip === w.ip || b.hostname.toLowerCase() === w.hostname.toLowerCase();

/** What must be seen for each action to count as done. */
function effectSeen(w: Watch, b: LegacyBoard): boolean {
  const c = w.cmd;
  switch (c.action) {
    case "set-ip":
      return c.ip.mode === "manual"
        ? b.ip === c.ip.ip && b.ip !== w.ip
        : b.ip !== w.ip || (w.takenAt !== null && b.ipMode === "dhcp");
    case "set-hostname":
      return b.hostname.toLowerCase() === c.hostname.toLowerCase();
    case "set-nameservers":
      return (b.nameservers ?? []).join(",") === c.servers.join(",");
    case "reboot":
      return w.sawSilence;
    case "restart-service":
    case "stop-service":
      return w.logSeen;
  }
}

/**
 * Legacy daemons never answer a command. A command is `accepted` once handed over, and
 * `succeeded` only when its effect shows in what the board reports; otherwise `expired` at
 * its deadline with the reason.
 */
export function createLegacyEffects(deps: EffectsDeps) {
  const watches = new Map<string, Watch>();
  const finish = (w: Watch, status: Result["status"], error?: Result["error"], board?: LegacyBoard) => {
    watches.delete(w.requestId);
    deps.report(w.boardId, result(w.requestId, w.action, status, deps.now(), error), board);
  };

  return {
    accepted(w: Omit<Watch, "takenAt" | "lastWrite" | "sawSilence" | "logSeen">, takenNow: boolean): void {
      const t = deps.now();
      const full: Watch = { ...w, takenAt: takenNow ? t : null, lastWrite: t, sawSilence: false, logSeen: false };
      watches.set(w.requestId, full);
      deps.report(w.boardId, result(w.requestId, w.action, "accepted", t));
    },
    failed(
      boardId: string,
      requestId: string,
      action: string,
      status: "failed" | "rejected",
      code: string,
      message: string,
    ): void {
      deps.report(boardId, result(requestId, action, status, deps.now(), { code, message }));
    },
    /** Pending watches of a board (the bridge checks whether they were taken). */
    pending: (): Iterable<Watch> => watches.values(),
    taken(requestId: string): void {
      const w = watches.get(requestId);
      if (w && w.takenAt === null) w.takenAt = deps.now();
    },
    /** A board log line: a service command counts as done when the board logs about that service. */
    logged(b: Pick<LegacyBoard, "ip" | "hostname">, text: string, at: number): void {
      for (const w of [...watches.values()]) {
        const c = w.cmd;
        if (c.action !== "restart-service" && c.action !== "stop-service") continue;
        if (w.takenAt === null || at < w.takenAt - 5000 || !sameBoard(w, b) || !text.includes(c.name)) continue;
        w.logSeen = true;
        finish(w, "succeeded");
      }
    },
    /** A write or ping of a board; `restarted` when the daemon says it started again (a counter reset). */
    seen(b: LegacyBoard, restarted = false): void {
      const t = deps.now();
      for (const w of [...watches.values()]) {
        if (!sameBoard(w, b)) continue;
        if (w.takenAt !== null && (restarted || t - w.lastWrite > w.silenceMs)) w.sawSilence = true;
        w.lastWrite = t;
        if (effectSeen(w, b)) finish(w, "succeeded", undefined, b);
      }
    },
    tick(): void {
      const t = deps.now();
      for (const w of [...watches.values()]) {
        if (t < w.deadline) continue;
        const why =
          w.takenAt === null
            ? "the board did not take the command (is its daemon running?)"
            : `taken ${Math.round((t - w.takenAt) / 1000)} s ago, but ${describe(w.cmd)} was not seen`;
        deps.expired?.({ boardId: w.boardId, requestId: w.requestId, cmd: w.cmd, taken: w.takenAt !== null });
        finish(w, "expired", { code: ManagerErrorCodes.LEGACY_NO_EFFECT, message: why });
      }
    },
    size: () => watches.size,
    clear(): void {
      watches.clear();
    },
  };
}

function describe(c: LegacyCommand): string {
  switch (c.action) {
    case "set-ip":
      return c.ip.mode === "manual" ? `the board on ${c.ip.ip}` : "a DHCP address";
    case "set-hostname":
      return `the hostname ${c.hostname}`;
    case "set-nameservers":
      return `nameservers ${c.servers.join(", ")}`;
    case "reboot":
      return "a pause in its writes followed by new ones";
    case "restart-service":
    case "stop-service":
      return `a log line about ${c.name}`;
  }
}
export type LegacyEffects = ReturnType<typeof createLegacyEffects>;
