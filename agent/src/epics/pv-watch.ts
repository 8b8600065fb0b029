import type { Logger } from "pino";
import type { PvReport } from "@bbb/shared";
import { openCircuit, type Channel, type Circuit, type CircuitOptions } from "./ca-circuit.js";
import { searchNames, type CaEndpoint, type SearchOptions } from "./ca-search.js";

interface Entry {
  name: string;
  servers: string[];
  circuit: Circuit | null;
  channel: Channel | null;
  value: string | null;
  /** Board time of the last value change (or of the first value). */
  changedAt: number | null;
  connectedAt: number | null;
  /** Value changes seen since the channel connected (the first value is not a change). */
  changes: number;
}

export interface PvWatchDeps {
  destinations: () => CaEndpoint[];
  /** Search window and circuit timeouts. */
  timeoutMs: number;
  clientName: string;
  hostName: string;
  now: () => number;
  log: Logger;
  /** True for a server (`host:port`) on the board itself: its own IOC is preferred when several answer. */
  isLocal?: (server: string) => boolean;
  /** A circuit with watched PVs closed (the IOC died): worth reporting before the next check. */
  onDrop?: () => void;
  /** Connected PVs are searched again this often, so a second server answering is seen. */
  researchEveryMs?: number;
  search?: (names: readonly string[], opts: SearchOptions) => Promise<Map<string, string[]>>;
  open?: (opts: CircuitOptions) => Promise<Circuit>;
}

/**
 * Watched PVs over Channel Access (docs/epics.md §"What the agent checks"): each is searched
 * until a server answers, then held as a monitored channel on a shared circuit, like any CA
 * client. A dropped circuit or an unanswered echo makes its PVs silent until found again.
 */
export function createPvWatch(deps: PvWatchDeps) {
  const search = deps.search ?? searchNames;
  const open = deps.open ?? openCircuit;
  const researchMs = deps.researchEveryMs ?? 60_000;
  const entries = new Map<string, Entry>();
  const circuits = new Map<string, Promise<Circuit>>();
  let lastFullSearch = -Infinity;

  const circuitTo = (server: string): Promise<Circuit> => {
    const known = circuits.get(server);
    if (known) return known;
    const [host = "", port = "0"] = server.split(":");
    const p = open({ host, port: Number(port), clientName: deps.clientName, hostName: deps.hostName, timeoutMs: deps.timeoutMs });
    circuits.set(server, p);
    p.then(
      (c) =>
        c.onClose(() => {
          circuits.delete(server);
          let dropped = false;
          for (const e of entries.values()) {
            if (e.circuit !== c) continue;
            e.circuit = null;
            e.channel = null;
            dropped = true;
          }
          if (dropped) deps.onDrop?.();
        }),
      () => circuits.delete(server),
    );
    return p;
  };

  async function connect(e: Entry, server: string): Promise<void> {
    try {
      const c = await circuitTo(server);
      const ch = await c.createChannel(e.name);
      if (!c.isOpen()) return;
      e.circuit = c;
      e.channel = ch;
      e.connectedAt = deps.now();
      e.changes = 0;
      // The first value on a new channel is a reading, not a change (an IOC restart resets counters).
      e.value = null;
      c.monitor(ch, (v) => {
        if (v.value === e.value) return;
        if (e.value !== null) e.changes++;
        e.value = v.value;
        e.changedAt = deps.now();
      });
    } catch (err: unknown) {
      deps.log.debug({ err, pv: e.name, server }, "PV connect failed");
    }
  }

  return {
    /** One check of `names`: echo open circuits, search the unconnected (or all, now and then), connect. */
    async poll(names: readonly string[]): Promise<void> {
      const wanted = new Set(names);
      for (const n of [...entries.keys()]) if (!wanted.has(n)) entries.delete(n);
      for (const n of wanted) {
        if (!entries.has(n))
          entries.set(n, { name: n, servers: [], circuit: null, channel: null, value: null, changedAt: null, connectedAt: null, changes: 0 });
      }
      // Circuits nobody uses any more are closed; the others must answer an echo.
      const used = new Set([...entries.values()].map((e) => e.circuit));
      const open = await Promise.all([...circuits.values()].map((p) => p.catch(() => null)));
      const echoes: Promise<boolean>[] = [];
      for (const c of open) {
        if (c === null) continue;
        if (used.has(c)) echoes.push(c.echo());
        else c.close();
      }
      await Promise.all(echoes);
      const t = deps.now();
      const full = t - lastFullSearch >= researchMs;
      if (full) lastFullSearch = t;
      const toSearch = [...entries.values()].filter((e) => full || e.channel === null).map((e) => e.name);
      if (toSearch.length === 0) return;
      const found = await search(toSearch, { destinations: deps.destinations(), timeoutMs: deps.timeoutMs });
      await Promise.all(
        toSearch.map(async (n) => {
          const e = entries.get(n);
          if (!e) return;
          e.servers = found.get(n) ?? [];
          const first = e.servers.find((s) => deps.isLocal?.(s) ?? false) ?? e.servers[0];
          if (e.channel === null && first !== undefined) await connect(e, first);
        }),
      );
    },

    report(pv: string, heartbeatS: number | undefined): PvReport {
      const e = entries.get(pv);
      const base = { pv, servers: e?.servers.slice(0, 8) ?? [], value: e?.value ?? null, changedAt: e?.changedAt ?? null };
      const withHb = heartbeatS === undefined ? base : { ...base, heartbeatS };
      if (!e) return { ...withHb, state: "pending" };
      if (e.channel === null) return { ...withHb, state: "silent" };
      if (heartbeatS === undefined) return { ...withHb, state: "ok" };
      const window = heartbeatS * 1000;
      const t = deps.now();
      if (e.changes === 0) return { ...withHb, state: t - (e.connectedAt ?? t) <= window ? "pending" : "stuck" };
      return { ...withHb, state: t - (e.changedAt ?? 0) <= window ? "ok" : "stuck" };
    },

    close(): void {
      for (const p of circuits.values()) void p.then((c) => c.close(), () => undefined);
      circuits.clear();
      entries.clear();
    },
  };
}
export type PvWatch = ReturnType<typeof createPvWatch>;
