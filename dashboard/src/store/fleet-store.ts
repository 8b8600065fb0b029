import { nextTick, shallowRef, type ShallowRef } from "vue";
import { decodeMessage } from "./decode-message.js";
import type { FleetEvent } from "./events.js";
import { emptyFleetState, type FleetState } from "./fleet-state.js";
import { createFrameStats } from "./frame-stats.js";
import { reduce } from "./reducer.js";

export interface FleetStoreDeps {
  root: string;
  /** requestAnimationFrame in the page; tests flush by hand. */
  schedule?: (fn: () => void) => void;
  now?: () => number;
  clock?: () => number;
  /** Record each frame as a Performance API measure "bbb:frame" (benchmarks). */
  measure?: boolean;
}

export interface FleetStore {
  readonly state: ShallowRef<FleetState>;
  readonly frames: ReturnType<typeof createFrameStats>;
  /** Queue a raw MQTT message; decoded and applied on the next animation frame. */
  ingest(topic: string, payload: Uint8Array): void;
  /** Queue a local event (a command this console sent). */
  push(ev: FleetEvent): void;
  /** Apply everything queued now. */
  flush(): void;
  watch(boardId: string): void;
  unwatch(boardId: string): void;
  clear(): void;
}

/**
 * The fleet store: inbound messages are queued and applied once per animation frame through
 * the pure reducer, so 10,000 boards updating cost one state replacement and one render per
 * frame instead of one per message.
 */
export function createFleetStore(deps: FleetStoreDeps): FleetStore {
  const schedule = deps.schedule ?? ((fn) => requestAnimationFrame(() => fn()));
  const now = deps.now ?? Date.now;
  const clock = deps.clock ?? (() => performance.now());
  const state = shallowRef<FleetState>(emptyFleetState());
  const frames = createFrameStats();
  const watched = new Set<string>();
  let raw: { topic: string; payload: Uint8Array; at: number }[] = [];
  let local: FleetEvent[] = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    if (raw.length === 0 && local.length === 0) return;
    const t0 = clock();
    const batch = raw;
    raw = [];
    const events: FleetEvent[] = local;
    local = [];
    for (const m of batch) {
      const ev = decodeMessage(deps.root, m.topic, m.payload, m.at);
      if (ev) events.push(ev);
    }
    state.value = reduce(state.value, events, { watched });
    const count = batch.length;
    // Vue renders in a microtask after this; the frame's work ends when that render is done.
    void nextTick(() => {
      const t1 = clock();
      frames.record(t1 - t0, count);
      if (deps.measure) performance.measure("bbb:frame", { start: t0, end: t1, detail: { messages: count } });
    });
  };

  const kick = () => {
    if (scheduled) return;
    scheduled = true;
    schedule(flush);
  };

  return {
    state,
    frames,
    ingest(topic, payload) {
      raw.push({ topic, payload, at: now() });
      kick();
    },
    push(ev) {
      local.push(ev);
      kick();
    },
    flush,
    watch: (id) => void watched.add(id),
    unwatch: (id) => void watched.delete(id),
    clear() {
      raw = [];
      local = [];
      state.value = emptyFleetState();
    },
  };
}
