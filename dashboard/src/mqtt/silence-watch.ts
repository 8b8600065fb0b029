import { shallowRef, type Ref } from "vue";

export interface SilenceWatchDeps {
  /** Sends an MQTT PINGREQ (the broker answers PINGRESP: any packet proves the link alive). */
  ping: () => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  /** Quiet time before a ping is sent. */
  idleMs?: number;
  /** Time a ping may go unanswered before the link counts as silent. */
  answerMs?: number;
  tickMs?: number;
}

/**
 * Notices a server that has gone silent (stalled, or a link that drops packets without closing)
 * within 3 s, without tearing the connection down: after `idleMs` without any packet it pings,
 * and a ping unanswered for `answerMs` marks the link `silent` until the next packet. MQTT's
 * own keepalive (20 s) still ends a connection that is really dead; this only tells the operator
 * early that what they see may be out of date.
 */
export function createSilenceWatch(deps: SilenceWatchDeps): { silent: Ref<boolean>; packet(): void; start(): void; stop(): void } {
  const now = deps.now ?? Date.now;
  const setTimer = deps.setTimer ?? ((fn, ms) => setInterval(fn, ms));
  const clearTimer = deps.clearTimer ?? ((t) => clearInterval(t as ReturnType<typeof setInterval>));
  const idleMs = deps.idleMs ?? 500;
  // 0.5 s quiet + 1.5 s unanswered + two ticks: stale by about 2.5 s, inside the 3 s promised
  // with room for a late timer and the repaint.
  const answerMs = deps.answerMs ?? 1500;
  const silent = shallowRef(false);
  let last = now();
  let pingAt: number | null = null;
  let timer: unknown = null;
  const tick = () => {
    const t = now();
    if (pingAt === null && t - last >= idleMs) {
      pingAt = t;
      deps.ping();
    } else if (pingAt !== null && t - pingAt >= answerMs) silent.value = true;
  };
  return {
    silent,
    packet() {
      last = now();
      pingAt = null;
      if (silent.value) silent.value = false;
    },
    start() {
      last = now();
      pingAt = null;
      silent.value = false;
      if (timer === null) timer = setTimer(tick, deps.tickMs ?? 200);
    },
    stop() {
      if (timer !== null) clearTimer(timer);
      timer = null;
      pingAt = null;
      silent.value = false;
    },
  };
}
