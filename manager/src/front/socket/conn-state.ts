import type { Principal } from "../auth-types.js";

/** State of one client connection; the built-in handlers read and change it. */
export interface ConnState {
  principal: Principal | null;
  authFailures: number;
  unsubscribe: (() => void) | null;
  readonly peer: string;
  readonly closed: AbortSignal;
  /**
   * Writes one line. A notification may not push the unsent backlog past the limit; an answer
   * (which the client asked for, and may be large: a 10,000-board list) only needs the backlog
   * before it to be under the limit.
   */
  sendRaw(line: string, kind?: "answer" | "notification"): void;
  end(): void;
}
