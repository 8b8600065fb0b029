import { alarmMetrics, LOST_AFTER_PERIODS, type Summary } from "@bbb/shared";
import type { Broker } from "@bbb/broker";
import type { IngestObserver } from "../../mqtt/create-ingest.js";
import type { BoardRecord } from "../../registry/board-record.js";
import type { EventBus, RegistryEvent } from "../../service/events.js";
import { createMetricsRegistry, type MetricsRegistry } from "./prometheus.js";

/** What the fleet metrics read, bound once the manager runs (scrape-time reads only). */
export interface FleetSource {
  summary(): Summary;
  record(boardId: string): BoardRecord | undefined;
  /** Every board record (for the one per-board series, bbb_board_up). */
  records(): Iterable<BoardRecord>;
  heartbeatMs: number;
  runsActive(): number;
  mqttConnected(): boolean;
  ready(): boolean;
  /** Whether a method name is in the table: unknown names share one label value (bounded series). */
  methodKnown(name: string): boolean;
  events: EventBus;
  /** The embedded broker; null with an external one. */
  broker: Pick<Broker, "events" | "connectedClients" | "threadUtilization" | "threadLag" | "threadRuntime"> | null;
  now?: () => number;
}

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const LOST_BUCKETS = [0.5, 1, 2, 3, 3.25, 3.5, 4, 5, 7.5, 10, 30, 60];
const REQUEST_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30];

/**
 * The fleet's metrics (docs/deployment.md §"Health and metrics"): hot-path counters the ingest and the MQTT request
 * door add to, event-driven counters and histograms (state changes, command results, broker
 * events), and gauges read from the registry when Prometheus scrapes.
 */
export function createFleetMetrics(reg: MetricsRegistry = createMetricsRegistry()) {
  let src: FleetSource | null = null;
  const heartbeats = reg.counter("bbb_heartbeats_total", "Heartbeats accepted from boards.");
  const messages = reg.counter(
    "bbb_board_messages_total",
    "Board messages accepted, by kind (heartbeat, status, result).",
  );
  const rejected = reg.counter("bbb_payloads_rejected_total", "Board messages dropped, by kind and reason code.");
  const detection = reg.histogram(
    "bbb_detection_latency_seconds",
    "From a will / offline message's arrival, or a board's staleness deadline (3 periods), to the registry publish, by cause.",
    LATENCY_BUCKETS,
  );
  const lostAfter = reg.histogram(
    "bbb_lost_after_last_heartbeat_seconds",
    "From a board's last heartbeat to its registry state `lost`, by cause.",
    LOST_BUCKETS,
  );
  const transitions = reg.counter("bbb_state_changes_total", "Board state changes, by new state.");
  const results = reg.counter(
    "bbb_command_results_total",
    "Command results from boards, by action, status and whether they belong to a bulk run.",
  );
  const requests = reg.histogram(
    "bbb_mqtt_request_duration_seconds",
    "Manager requests over MQTT (<root>/manager/request/<method>): time to the response, by method and outcome.",
    REQUEST_BUCKETS,
  );
  const authFailures = reg.counter(
    "bbb_broker_auth_failures_total",
    "Refused MQTT logins at the embedded broker, by reason.",
  );
  const tooLarge = reg.counter(
    "bbb_broker_packets_too_large_total",
    "MQTT packets over the size limit (connection closed).",
  );
  const duplicates = reg.counter(
    "bbb_broker_duplicate_clients_total",
    "Connections that took over a connected client id.",
  );
  const unserved = reg.counter(
    "bbb_broker_connects_unserved_total",
    "CONNECTs the embedded broker did not work on: answered server busy (busy), or closed by their client before the broker came to them (abandoned).",
  );
  const brokerRestarts = reg.counter(
    "bbb_broker_thread_restarts_total",
    "Times the embedded broker's thread died and was started again (its clients reconnected).",
  );

  reg.gauge("bbb_boards", "Boards (and nodes without a board: `missing`, or `spare` for spare slots) per state.", () =>
    src ? Object.entries(src.summary().byState).map(([state, value]) => ({ labels: { state }, value })) : null,
  );
  reg.gauge("bbb_boards_by_sector", "Boards per sector and state (`-`: no sector).", () => {
    if (!src) return null;
    const out = [];
    for (const [sector, row] of Object.entries(src.summary().bySector))
      for (const [state, value] of Object.entries(row)) out.push({ labels: { sector, state }, value });
    return out;
  });
  // The only per-board series: one per board in the registry (~ the fleet size; a forgotten board
  // drops out). docs/monitoring.md §"Cardinality" counts the series of every family.
  reg.gauge("bbb_board_up", "1 while a board is alive (connected and beating), else 0; by board id and sector.", () => {
    if (!src) return null;
    const out = [];
    for (const r of src.records())
      if (r.state !== null) out.push({ labels: { board: r.id, sector: r.sector ?? "-" }, value: Number(r.alive) });
    return out;
  });
  reg.gauge("bbb_boards_flapping", "Boards flagged flapping.", () => (src ? src.summary().flapping : null));
  // Raised health alarms (docs/protocol.md §"Health history"): 5 metrics × 2 levels, every series
  // always present, so an alert on a critical disk or temperature needs no per-board series.
  reg.gauge("bbb_boards_alarmed", "Alive boards with a raised health alarm, by metric and level.", () => {
    if (!src) return null;
    const counts = new Map<string, { labels: { metric: string; level: string }; value: number }>();
    for (const metric of alarmMetrics)
      for (const level of ["warning", "critical"]) counts.set(`${metric}/${level}`, { labels: { metric, level }, value: 0 });
    for (const r of src.records()) {
      if (!r.alive) continue;
      for (const metric of alarmMetrics) {
        const a = r.alarms[metric];
        const c = a ? counts.get(`${metric}/${a.level}`) : undefined;
        if (c) c.value++;
      }
    }
    return [...counts.values()];
  });
  reg.gauge("bbb_bulk_runs_active", "Bulk command runs in progress.", () => (src ? src.runsActive() : null));
  reg.gauge("bbb_manager_mqtt_connected", "1 while the manager's own MQTT client is connected.", () =>
    src ? Number(src.mqttConnected()) : null,
  );
  reg.gauge("bbb_manager_ready", "1 once the registry is rebuilt and requests are answered.", () =>
    src ? Number(src.ready()) : null,
  );
  reg.gauge(
    "bbb_broker_thread_utilization",
    "Share of time (0-1) the embedded broker's thread was busy since the previous scrape; near 1 it is the fleet's bottleneck.",
    () => src?.broker?.threadUtilization() ?? null,
  );
  reg.summary(
    "bbb_broker_thread_event_loop_lag_seconds",
    "Event-loop delay of the embedded broker's thread: quantiles of its last 10 s (1 = max); sum and count since the thread started.",
    () => src?.broker?.threadLag() ?? null,
  );
  reg.summary(
    "bbb_broker_thread_gc_pause_seconds",
    "Garbage-collection pauses of the embedded broker's thread: quantiles of its last 10 s (1 = longest, 0 without a pause); sum and count since the thread started.",
    () => src?.broker?.threadRuntime()?.gc ?? null,
  );
  reg.gauge("bbb_broker_thread_heap_used_bytes", "V8 heap in use on the embedded broker's thread, as of its last 10 s window.", () =>
    src?.broker?.threadRuntime()?.heapUsedBytes ?? null,
  );
  reg.gauge("bbb_broker_connected_clients", "Clients connected to the embedded broker.", () =>
    src?.broker ? src.broker.connectedClients() : null,
  );

  function onEvent(e: RegistryEvent, now: () => number): void {
    if (e.kind === "command-result") {
      results.inc({ action: e.result.action, status: e.result.status, bulk: String(e.runId !== null) });
      return;
    }
    if (e.kind !== "state-change") return;
    transitions.inc({ state: e.to });
    if (e.to !== "lost" && e.to !== "offline") return;
    const cause = e.reason === "will" || e.reason === "offline" || e.reason === "heartbeat-timeout" ? e.reason : null;
    if (cause === null) return;
    const rec = src?.record(e.boardId);
    const lastSeen = rec?.live.lastSeen ?? null;
    const period = rec?.live.periodMs ?? src?.heartbeatMs ?? 1000;
    // The registry publishes a state change synchronously after announcing it: a microtask
    // runs once that publish (and the rest of the same sweep) is done.
    queueMicrotask(() => {
      const t = now();
      const from = cause === "heartbeat-timeout" && lastSeen !== null ? lastSeen + LOST_AFTER_PERIODS * period : e.ts;
      detection.observe(Math.max(0, t - from) / 1000, { cause });
      if (e.to === "lost" && lastSeen !== null) lostAfter.observe(Math.max(0, t - lastSeen) / 1000, { cause });
    });
  }

  // Resolved once: per heartbeat the ingest pays two additions.
  const beat = heartbeats.series();
  heartbeats.inc(undefined, 0); // exported as 0 from the start: rate() needs the first sample
  const accepted = {
    heartbeat: messages.series({ kind: "heartbeat" }),
    status: messages.series({ kind: "status" }),
    result: messages.series({ kind: "result" }),
  };
  const ingest: IngestObserver = {
    accepted(kind) {
      if (kind === "heartbeat") beat.inc();
      accepted[kind].inc();
    },
    rejected(kind, code) {
      rejected.inc({ kind, code });
    },
  };

  return {
    registry: reg,
    /** Hot-path hooks for createManager's `observe`. */
    observer: {
      ingest,
      request(method: string, seconds: number, ok: boolean): void {
        const name = src === null || src.methodKnown(method) ? method : "(unknown)";
        requests.observe(seconds, { method: name, outcome: ok ? "ok" : "error" });
      },
    },
    /** Binds the running server; returns the function that unbinds it. */
    attach(source: FleetSource): () => void {
      src = source;
      const now = source.now ?? Date.now;
      const off = source.events.on((e) => onEvent(e, now));
      const b = source.broker?.events;
      const onAuth = (e: { reason: string }) => authFailures.inc({ reason: e.reason });
      const onLarge = () => tooLarge.inc();
      const onDup = () => duplicates.inc();
      const onRestart = () => brokerRestarts.inc();
      const onShed = () => unserved.inc({ reason: "busy" });
      const onAbandoned = () => unserved.inc({ reason: "abandoned" });
      b?.on("connect-shed", onShed);
      b?.on("connect-abandoned", onAbandoned);
      b?.on("auth-failed", onAuth);
      b?.on("restarted", onRestart);
      b?.on("packet-too-large", onLarge);
      b?.on("duplicate-client", onDup);
      return () => {
        off();
        b?.off("auth-failed", onAuth);
        b?.off("packet-too-large", onLarge);
        b?.off("duplicate-client", onDup);
        b?.off("restarted", onRestart);
        b?.off("connect-shed", onShed);
        b?.off("connect-abandoned", onAbandoned);
        src = null;
      };
    },
  };
}
export type FleetMetrics = ReturnType<typeof createFleetMetrics>;
