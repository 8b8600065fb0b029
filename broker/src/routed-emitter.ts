import { createRequire } from "node:module";
import type { Redis } from "ioredis";
import type pino from "pino";
import { decodeFrame, encodeControl, encodeMessage, type ControlFrame, type RoutedPacket } from "./cluster-frames.js";

const require = createRequire(import.meta.url);

type Listener = (packet: RoutedPacket, done: () => void) => void;
interface LocalEmitter {
  on(topic: string, listener: Listener, done?: () => void): unknown;
  removeListener(topic: string, listener: Listener, done?: () => void): unknown;
  emit(packet: RoutedPacket, done?: (err?: Error) => void): void;
  close(done: () => void): void;
}
interface FilterSet {
  add(filter: string): unknown;
  remove(filter: string): unknown;
  test(topic: string): boolean;
}
const mqemitter = require("mqemitter") as (opts: Record<string, unknown>) => LocalEmitter;
const { QlobberTrue } = require("qlobber") as { QlobberTrue: new (opts: Record<string, unknown>) => FilterSet };

/** Same matching as Aedes's default emitter [MQTT-4.7.1-3]. */
const MATCHING = { separator: "/", wildcard_one: "+", wildcard_some: "#", match_empty_levels: true };
/** A replica unheard for this many beats is forgotten (its filters stop drawing messages). */
const LAPSE_BEATS = 4;
/** A replica heard within this many beats counts as alive, as Aedes counts a broker by its $SYS beat. */
const ALIVE_BEATS = 3;

interface Remote {
  filters: Set<string>;
  trie: FilterSet;
  heard: number;
}

export interface RoutedEmitterDeps {
  /** This replica's id: Aedes's broker id, so one name means one replica everywhere. */
  id: string;
  sub: Redis;
  pub: Redis;
  log: pino.Logger;
  beatMs: number;
  channelPrefix?: string;
  clock?: () => number;
}

export interface RoutedEmitterStats {
  /** The other replicas known, each with the filters its clients hold. */
  replicas: Record<string, string[]>;
  routed: number;
  received: number;
  dropped: number;
}

/**
 * docs/architecture.md §"Routing between replicas": an mqemitter for Aedes that delivers to this
 * replica's subscribers at once and sends a message through Redis only to the replicas whose
 * clients hold a matching filter: one PUBLISH to each such replica's own channel. Every replica
 * keeps the others' filter sets, announced on a shared control channel. Redis so does O(1) work
 * per crossing message (no pattern subscription per client filter), and a message no other
 * replica wants does not touch Redis at all.
 */
export function createRoutedEmitter(deps: RoutedEmitterDeps) {
  const prefix = deps.channelPrefix ?? "bbb:mq:";
  const clock = deps.clock ?? Date.now;
  const log = deps.log.child({ module: "cluster-routing" });
  const control = `${prefix}ctl`;
  const channelOf = (id: string) => `${prefix}r:${id}`;
  const own = channelOf(deps.id);
  const local = mqemitter({ concurrency: 0, matchEmptyLevels: true });
  const counts = new Map<string, number>();
  const remotes = new Map<string, Remote>();
  const stats = { routed: 0, received: 0, dropped: 0 };
  let closed = false;
  let ready = false;
  let outage = false;
  let timer: NodeJS.Timeout | null = null;

  const fail = (what: string) => (err: unknown) => log.warn({ err }, what);
  const send = (channel: string, f: ControlFrame) => deps.pub.publish(channel, encodeControl(f));
  const snapshot = (ask?: true): ControlFrame => ({ k: "S", from: deps.id, filters: [...counts.keys()], ...(ask ? { ask } : {}) });

  function remote(id: string): { r: Remote; fresh: boolean } {
    let r = remotes.get(id);
    const fresh = r === undefined;
    if (!r) {
      r = { filters: new Set(), trie: new QlobberTrue(MATCHING), heard: 0 };
      remotes.set(id, r);
      log.info({ replica: id }, "replica joined the routing");
    }
    r.heard = clock();
    return { r, fresh };
  }

  function onControl(f: ControlFrame): void {
    if (f.from === deps.id) return;
    if (f.k === "Q") {
      if (remotes.delete(f.from)) log.info({ replica: f.from }, "replica left the routing");
      return;
    }
    const { r, fresh } = remote(f.from);
    if (f.k === "S") {
      r.filters = new Set(f.filters);
      r.trie = new QlobberTrue(MATCHING);
      for (const filter of r.filters) r.trie.add(filter);
      if (f.ask) send(channelOf(f.from), snapshot()).catch(fail("answering a replica's snapshot failed"));
      return;
    }
    // Anything else from a replica not known yet (this one restarted its connection, or forgot
    // it after missed beats): its changes alone are not its whole set, so ask for the set.
    if (fresh) send(channelOf(f.from), snapshot(true)).catch(fail("asking a replica for its filters failed"));
    if (f.k === "+" && !r.filters.has(f.filter)) {
      r.filters.add(f.filter);
      r.trie.add(f.filter);
    } else if (f.k === "-" && r.filters.delete(f.filter)) {
      r.trie.remove(f.filter);
    }
  }

  function onFrame(_channel: Buffer, message: Buffer): void {
    if (closed) return;
    let frame;
    try {
      frame = decodeFrame(message);
    } catch (err) {
      log.warn({ err: (err as Error).message, bytes: message.length }, "malformed frame from the cluster ignored");
      return;
    }
    if (frame.type === "control") return onControl(frame.frame);
    stats.received++;
    local.emit(frame.packet);
  }

  /** Subscribes (again, after a reconnect) and exchanges whole filter sets with every replica. */
  async function join(): Promise<void> {
    await deps.sub.subscribe(control, own);
    ready = true;
    await send(control, snapshot(true));
  }

  function beat(): void {
    send(control, { k: "B", from: deps.id }).catch(fail("the routing beat failed"));
    const oldest = clock() - LAPSE_BEATS * deps.beatMs;
    for (const [id, r] of remotes) {
      if (r.heard >= oldest) continue;
      remotes.delete(id);
      log.warn({ replica: id, silentMs: clock() - r.heard }, "replica silent, dropped from the routing");
    }
  }

  function route(packet: RoutedPacket): void {
    let frame: Buffer | null = null;
    for (const [id, r] of remotes) {
      if (!r.trie.test(packet.topic)) continue;
      // While Redis is away, messages for other replicas are dropped rather than queued without
      // bound (at-most-once, as across any broken link); control frames still queue.
      if (deps.pub.status !== "ready") {
        stats.dropped++;
        if (!outage) log.warn({ status: deps.pub.status }, "redis unavailable: messages for other replicas dropped");
        outage = true;
        continue;
      }
      outage = false;
      frame ??= encodeMessage(packet);
      stats.routed++;
      deps.pub.publish(channelOf(id), frame).catch(fail("routing a message failed"));
    }
  }

  deps.sub.on("messageBuffer", onFrame);
  deps.sub.on("ready", () => {
    if (ready && !closed) join().catch(fail("rejoining the routing failed"));
  });

  return {
    async start(): Promise<void> {
      await join();
      timer = setInterval(beat, deps.beatMs);
      timer.unref();
    },
    on(topic: string, listener: Listener, done?: () => void): void {
      local.on(topic, listener);
      const n = (counts.get(topic) ?? 0) + 1;
      counts.set(topic, n);
      if (closed) return void setImmediate(() => done?.());
      // SUBACK waits until Redis has the announcement: a message published after it by a client
      // of any replica, through Redis, comes behind it (docs/architecture.md).
      if (n > 1) setImmediate(() => done?.());
      else send(control, { k: "+", from: deps.id, filter: topic }).then(() => done?.(), (err: unknown) => (fail("announcing a filter failed")(err), done?.()));
    },
    removeListener(topic: string, listener: Listener, done?: () => void): void {
      local.removeListener(topic, listener, done);
      const n = (counts.get(topic) ?? 0) - 1;
      if (n > 0) return void counts.set(topic, n);
      // Clients closing with the broker leave after this replica said it stops.
      if (!counts.delete(topic) || closed) return;
      send(control, { k: "-", from: deps.id, filter: topic }).catch(fail("withdrawing a filter failed"));
    },
    emit(packet: RoutedPacket, done?: (err?: Error) => void): void {
      if (closed) return done?.(new Error("the cluster emitter is closed"));
      if (remotes.size > 0) route(packet);
      local.emit(packet, done);
    },
    close(done: () => void): void {
      if (closed) return done();
      closed = true;
      if (timer) clearInterval(timer);
      deps.sub.off("messageBuffer", onFrame);
      if (deps.pub.status === "ready") send(control, { k: "Q", from: deps.id }).catch(() => undefined);
      local.close(done);
    },
    /**
     * Whether another replica was heard (any control frame) within the last 3 beats: from its
     * join on, before Aedes has its first $SYS beat.
     */
    alive: (id: string): boolean => {
      const r = remotes.get(id);
      return r !== undefined && r.heard + ALIVE_BEATS * deps.beatMs >= clock();
    },
    stats: (): RoutedEmitterStats => ({ replicas: Object.fromEntries([...remotes].map(([id, r]) => [id, [...r.filters]])), ...stats }),
  };
}
export type RoutedEmitter = ReturnType<typeof createRoutedEmitter>;
