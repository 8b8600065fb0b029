import type { HostView } from "@bbb/shared";
import type { FleetEvent } from "./events.js";
import { LIMITS, type CommandEntry, type FleetState, type LogEntry, type Sample, type StateChange } from "./fleet-state.js";

export interface ReduceContext {
  /** Boards whose detail view is open: they get dense sparkline samples. */
  watched: ReadonlySet<string>;
}

/**
 * How recent a host view's heartbeat is: the manager's own clock in lastSeen / stateSince.
 * Orders views of older managers (without `at`), and the volatile fields of any two views.
 */
export function freshness(v: HostView): number {
  return Math.max(v.lastSeen ?? 0, v.stateSince);
}

/**
 * The view to keep when `next` arrives for a board already shown as `prev`, or null to keep
 * `prev`. A hosts.list answer and the board's retained message may arrive in either order: the
 * one the manager made later (`at`, docs/protocol.md) wins, even when both carry the same
 * lastSeen (a twin went away between two beats and the conflict cleared). A volatile entry
 * applied meanwhile may hold a newer heartbeat than the winning view: that heartbeat is kept.
 */
export function newerView(prev: HostView, next: HostView): HostView | null {
  if (prev.at !== undefined && next.at !== undefined) {
    if (next.at < prev.at) return null;
  } else if (freshness(prev) > freshness(next)) {
    return null;
  }
  if ((prev.lastSeen ?? 0) > (next.lastSeen ?? 0) && prev.heartbeat && next.state === prev.state) {
    return { ...next, lastSeen: prev.lastSeen, heartbeat: prev.heartbeat };
  }
  return next;
}

/** Copy-on-write map: copied at most once per reduce() call, only if something changes. */
function cow<K, V>(src: ReadonlyMap<K, V>) {
  let out: Map<K, V> | null = null;
  return {
    get: (k: K) => (out ?? src).get(k),
    set(k: K, v: V) {
      out ??= new Map(src);
      out.set(k, v);
    },
    delete(k: K) {
      if (!(out ?? src).has(k)) return;
      out ??= new Map(src);
      out.delete(k);
    },
    result: (): ReadonlyMap<K, V> => out ?? src,
  };
}

function sampleOf(view: HostView): Sample | null {
  const hb = view.heartbeat;
  if (!hb) return null;
  return { t: view.lastSeen ?? hb.ts, uptime: hb.uptime, load1: hb.load1 ?? null, tempC: hb.tempC ?? null };
}

function addSample(list: readonly Sample[] | undefined, s: Sample, spacing: number): readonly Sample[] | null {
  const last = list?.[list.length - 1];
  if (last && s.t - last.t < spacing) return null;
  const from = s.t - LIMITS.sampleWindowMs;
  const kept = (list ?? []).filter((x) => x.t >= from);
  kept.push(s);
  return kept;
}

function applyResult(list: readonly CommandEntry[] | undefined, ev: Extract<FleetEvent, { kind: "result" }>): CommandEntry[] {
  const r = ev.result;
  const entries = [...(list ?? [])];
  let i = entries.findIndex((c) => c.requestId === r.id);
  // A command we sent before we knew its request id: the first result of that action claims it.
  if (i < 0) i = entries.findIndex((c) => c.requestId === null && c.action === r.action && c.status === "sent");
  const prev = i >= 0 ? entries[i] : undefined;
  const next: CommandEntry = {
    requestId: r.id,
    boardId: ev.boardId,
    action: r.action,
    status: r.status,
    progress: r.progress ?? prev?.progress ?? null,
    exitCode: r.exitCode ?? prev?.exitCode ?? null,
    output: r.output ?? prev?.output ?? null,
    error: r.error ?? prev?.error ?? null,
    data: r.data ?? prev?.data ?? null,
    by: prev?.by ?? null,
    runId: prev?.runId ?? null,
    sentAt: prev?.sentAt ?? null,
    updatedAt: r.ts,
  };
  if (i >= 0) entries[i] = next;
  else entries.unshift(next);
  return entries.slice(0, LIMITS.commandsPerBoard);
}

/**
 * The store's one pure reducer: previous state + a frame's worth of events -> next state.
 * Collections that no event touched keep their identity, so views that read only them do
 * not recompute (the 10,000-board frame budget depends on it).
 */
export function reduce(state: FleetState, events: readonly FleetEvent[], ctx: ReduceContext): FleetState {
  if (events.length === 0) return state;
  const hosts = cow(state.hosts);
  const nodes = cow(state.nodes);
  const types = cow(state.types);
  const commands = cow(state.commands);
  const logs = cow(state.logs);
  const samples = cow(state.samples);
  let summary = state.summary;
  let manager = state.manager;
  const changes: StateChange[] = [];
  const putHost = (id: string, incoming: HostView) => {
    const prev = hosts.get(id);
    const view = prev ? newerView(prev, incoming) : incoming;
    if (!view) return;
    hosts.set(id, view);
    if (prev && prev.state !== view.state) {
      changes.push({ id, hostname: view.heartbeat?.hostname ?? view.node?.hostname ?? null, from: prev.state, to: view.state, at: view.stateSince });
    }
    const s = sampleOf(view);
    if (s) {
      const spacing = ctx.watched.has(id) ? LIMITS.watchedSpacingMs : LIMITS.sampleSpacingMs;
      const next = addSample(samples.get(id), s, spacing);
      if (next) samples.set(id, next);
    }
  };

  for (const ev of events) {
    switch (ev.kind) {
      case "host": {
        if (ev.view === null) {
          hosts.delete(ev.id);
          samples.delete(ev.id);
          break;
        }
        putHost(ev.id, ev.view);
        break;
      }
      case "volatile":
        // docs/protocol.md §"Topic tree": the newest heartbeat of boards whose view is already known.
        for (const h of ev.hosts) {
          const prev = hosts.get(h.id);
          if (prev && (h.lastSeen ?? 0) >= (prev.lastSeen ?? 0)) putHost(h.id, { ...prev, lastSeen: h.lastSeen, heartbeat: h.heartbeat });
        }
        break;
      case "node":
        if (ev.view === null) nodes.delete(ev.hostname);
        else nodes.set(ev.hostname, ev.view);
        break;
      case "type":
        if (ev.type === null) types.delete(ev.name);
        else types.set(ev.name, ev.type);
        break;
      case "summary":
        summary = ev.summary;
        break;
      case "manager":
        manager = ev.status;
        break;
      case "result":
        commands.set(ev.boardId, applyResult(commands.get(ev.boardId), ev));
        break;
      case "log": {
        const entry: LogEntry = { level: ev.line.level, msg: ev.line.msg, ts: ev.line.ts, at: ev.at };
        const list = [...(logs.get(ev.boardId) ?? []), entry];
        logs.set(ev.boardId, list.length > LIMITS.logsPerBoard ? list.slice(-LIMITS.logsPerBoard) : list);
        break;
      }
      case "sent": {
        const entry: CommandEntry = {
          requestId: ev.requestId, boardId: ev.boardId, action: ev.action, status: "sent", progress: null, exitCode: null,
          output: null, error: null, data: null, by: ev.by, runId: ev.runId, sentAt: ev.at, updatedAt: ev.at,
        };
        const list = commands.get(ev.boardId) ?? [];
        const known = ev.requestId !== null ? list.findIndex((c) => c.requestId === ev.requestId) : -1;
        if (known >= 0) {
          const merged = [...list];
          const k = merged[known];
          if (k) merged[known] = { ...k, by: ev.by, runId: ev.runId, sentAt: ev.at };
          commands.set(ev.boardId, merged);
        } else {
          commands.set(ev.boardId, [entry, ...list].slice(0, LIMITS.commandsPerBoard));
        }
        break;
      }
    }
  }

  return {
    hosts: hosts.result(),
    nodes: nodes.result(),
    types: types.result(),
    summary,
    manager,
    changes: changes.length === 0 ? state.changes : [...changes.reverse(), ...state.changes].slice(0, LIMITS.changes),
    commands: commands.result(),
    logs: logs.result(),
    samples: samples.result(),
  };
}
