import { boardlessState, REGISTRY_COALESCE_MS, SUMMARY_INTERVAL_MS, type BoardType, type Summary, type Topics } from "@bbb/shared";
import { createVolatileBatch } from "./volatile-batch.js";
import type { Logger } from "pino";
import type { Registry } from "../registry/create-registry.js";
import type { ChangeLevel } from "../registry/registry-types.js";
import { createDueQueue } from "./due-queue.js";
import { redactType } from "../registry/type-secrets.js";

/** The slice of an MQTT client the publisher needs. */
export interface Publish {
  (topic: string, payload: string | Buffer, opts: { qos: 0 | 1; retain: boolean }): void;
}

export interface PublisherDeps {
  log: Logger;
  now: () => number;
  topics: Topics;
  publish: Publish;
  registry: () => Registry;
  /** Volatile heartbeat fields of a board go out on `registry/volatile` at most this often. */
  volatileRefreshMs: number;
  /** The retained view of a board whose heartbeat changed only in volatile fields: at most this often. */
  viewRefreshMs: number;
  coalesceMs?: number;
  tickMs?: number;
}

/**
 * Retained registry topics (docs/protocol.md §"Topic tree"): a state change goes out at once (death
 * detection must not wait), attribute changes at most once per second per board, the summary at
 * most once per second. Volatile heartbeat fields (seq, uptime, load) go out in batches on the
 * unretained `registry/volatile` every `volatileRefreshMs`, and the retained view of a board that
 * changed only in those fields is refreshed every `viewRefreshMs`: a retained view replaced every
 * few seconds for every board was a large share of the server's old-generation garbage
 * (BENCHMARKS.md, "The latency tail is the old generation's marking").
 */
export function createPublisher(deps: PublisherDeps) {
  const log = deps.log.child({ module: "publisher" });
  const { topics, now } = deps;
  const coalesceMs = deps.coalesceMs ?? REGISTRY_COALESCE_MS;
  const hosts = createDueQueue();
  const lastPublished = new Map<string, number>();
  const volatile = createVolatileBatch({
    now,
    topic: topics.registryVolatile(),
    send: (t, p) => deps.publish(t, p, { qos: 0, retain: false }),
  });
  const nodes = new Set<string>();
  let summaryDirty = true;
  let lastSummary = 0;
  let timer: NodeJS.Timeout | null = null;

  const send = (topic: string, payload: string) => {
    try {
      deps.publish(topic, payload, { qos: 1, retain: true });
    } catch (err: unknown) {
      log.warn({ err, topic }, "publish failed");
    }
  };

  function publishHost(id: string): void {
    const reg = deps.registry();
    const rec = reg.records.get(id);
    if (!rec || rec.state === null) return;
    lastPublished.set(id, now());
    volatile.cancel(id);
    send(topics.registryHost(id), JSON.stringify(reg.hostView(rec)));
  }

  function publishNode(hostname: string): void {
    const view = deps.registry().nodeView(hostname);
    send(topics.registryNode(hostname), view ? JSON.stringify(view) : "");
  }

  function summary(): Summary {
    const reg = deps.registry();
    const byState: Record<string, number> = {};
    const bySector: Record<string, Record<string, number>> = {};
    let total = 0;
    let flapping = 0;
    const add = (state: string, sector: string | null) => {
      total++;
      byState[state] = (byState[state] ?? 0) + 1;
      const s = sector ?? "-";
      const row = (bySector[s] ??= {});
      row[state] = (row[state] ?? 0) + 1;
    };
    for (const rec of reg.records.values()) {
      if (rec.state === null) continue;
      add(rec.state, rec.sector);
      if (rec.flapping) flapping++;
    }
    for (const [hostname, node] of reg.nodes) {
      if (reg.boardOfNode(hostname) === null) add(boardlessState(node), reg.nodeSectorOf(node));
    }
    return { v: 1, ts: now(), total, byState, bySector, flapping };
  }

  function tick(): void {
    const t = now();
    for (const id of hosts.take(t)) publishHost(id);
    const reg = deps.registry();
    try {
      volatile.flush(t, (id) => {
        const rec = reg.records.get(id);
        return rec && rec.state !== null && rec.live.heartbeat ? rec : null;
      });
    } catch (err: unknown) {
      log.warn({ err }, "publish of volatile fields failed");
    }
    for (const h of nodes) publishNode(h);
    nodes.clear();
    if (summaryDirty && t - lastSummary >= SUMMARY_INTERVAL_MS) {
      summaryDirty = false;
      lastSummary = t;
      send(topics.registrySummary(), JSON.stringify(summary()));
    }
  }

  return {
    summary,
    hostChanged(id: string, level: ChangeLevel): void {
      if (level === "state") {
        hosts.cancel(id);
        publishHost(id);
        summaryDirty = true;
        return;
      }
      const last = lastPublished.get(id) ?? 0;
      if (level === "attr") return hosts.schedule(id, last + coalesceMs);
      if (hosts.has(id)) return;
      const t = now();
      if (t - last >= deps.viewRefreshMs) hosts.schedule(id, t);
      else volatile.schedule(id, t, last, deps.volatileRefreshMs);
    },
    hostRemoved(id: string): void {
      hosts.cancel(id);
      volatile.cancel(id);
      lastPublished.delete(id);
      send(topics.registryHost(id), "");
      summaryDirty = true;
    },
    nodeChanged(hostname: string): void {
      nodes.add(hostname);
      summaryDirty = true;
    },
    /** Clears a retained topic nobody owns any more (removed node, ghost board view). */
    clear(topic: string): void {
      send(topic, "");
    },
    typeChanged(t: BoardType): void {
      send(topics.registryType(t.name), JSON.stringify(redactType(t)));
    },
    typeRemoved(name: string): void {
      send(topics.registryType(name), "");
    },
    /**
     * After a reconnect: the broker may have lost every retained view (a restart without
     * persistence), so all of them go out again, spread over one coalescing window so that
     * 10,000 views do not leave in one tick.
     */
    republishAll(): void {
      const reg = deps.registry();
      const t = now();
      const step = coalesceMs / Math.max(1, reg.records.size);
      let i = 0;
      for (const id of reg.records.keys()) hosts.schedule(id, t + i++ * step);
      for (const h of reg.nodes.keys()) nodes.add(h);
      for (const ty of reg.types.values()) send(topics.registryType(ty.name), JSON.stringify(redactType(ty)));
      summaryDirty = true;
      lastSummary = 0;
    },
    flushNow: tick,
    start(): void {
      timer ??= setInterval(tick, deps.tickMs ?? 100);
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
export type Publisher = ReturnType<typeof createPublisher>;
