import type { Logger } from "pino";
import {
  decodePayload,
  expandPv,
  nameSchema,
  typeIocsViewSchema,
  type IocDecl,
  type IocReport,
  type IocsPayload,
} from "@bbb/shared";
import type { IocServiceProbe } from "./ioc-service.js";
import type { PvWatch } from "./pv-watch.js";
import { startPoll, type SharedIntervals } from "../system/shared-intervals.js";

export interface IocMonitorDeps {
  session: string;
  now: () => number;
  log: Logger;
  services: IocServiceProbe;
  pvs: PvWatch;
  /** The type the heartbeat reports, and the node's PV prefixes (for `$(P)`). */
  currentType: () => string;
  pvPrefixes: () => readonly string[];
  /** The retained topic of a type's declaration. */
  typeTopic: (type: string) => string;
  follow: (topic: string | null) => void;
  publish: (payload: string) => void;
  pollMs: number;
  /** The agent's shared timers (the poll ticks with the heartbeat); default: a timer of its own. */
  intervals?: SharedIntervals;
  /** A report that did not change is sent again this often, with fresh values. */
  refreshMs?: number;
}

const MAX_TYPE_BYTES = 256 * 1024;

/**
 * EPICS IOC health on the board (docs/epics.md §"What the agent checks"): reads its type's IOC
 * declaration from the retained registry topic, checks each IOC's service and watched PVs every
 * `pollMs`, and publishes `<root>/<boardId>/iocs` when a state changes (values ride along, and
 * are refreshed every `refreshMs`).
 */
export function createIocMonitor(deps: IocMonitorDeps) {
  const log = deps.log.child({ module: "iocs" });
  const refreshMs = deps.refreshMs ?? 60_000;
  let type: string | null = null;
  /** Null until the type's retained declaration arrived. */
  let decls: IocDecl[] | null = null;
  let stopPoll: (() => void) | null = null;
  let inflight: Promise<void> | null = null;
  let again = false;
  let lastKey = "";
  let lastSent = 0;
  let reportedIocs = false;

  const followType = () => {
    const t = deps.currentType();
    if (t === type) return;
    type = t;
    decls = null;
    // A detected type that is no registry name (no topic level) has no declaration to read.
    deps.follow(nameSchema.safeParse(t).success ? deps.typeTopic(t) : null);
  };

  /**
   * Reports what is known now (a dropped circuit is already silent), then lets the PV watch
   * echo, search and connect for the next check: a dead IOC is told without waiting for a
   * search window.
   */
  async function check(): Promise<{ reports: IocReport[]; next: () => Promise<void> }> {
    const list = decls ?? [];
    const prefixes = deps.pvPrefixes();
    const watched = list.map((d) => d.pvs.flatMap((w) => expandPv(w.pv, prefixes).map((pv) => ({ pv, heartbeatS: w.heartbeatS }))));
    const next = () => deps.pvs.poll(watched.flat().map((w) => w.pv));
    const reports = await Promise.all(
      list.map(async (d, i): Promise<IocReport> => {
        let st;
        try {
          st = await deps.services.probe(d.name, d.service);
        } catch (e: unknown) {
          st = { running: null, restarts: null, pid: null, detail: (e instanceof Error ? e.message : String(e)).slice(0, 128) };
        }
        const r: IocReport = {
          name: d.name,
          service: d.service,
          running: st.running,
          restarts: st.restarts,
          pid: st.pid,
          pvs: (watched[i] ?? []).slice(0, 64).map((w) => deps.pvs.report(w.pv, w.heartbeatS)),
        };
        if (st.detail !== undefined) r.detail = st.detail;
        return r;
      }),
    );
    return { reports, next };
  }

  /** One check at a time: a call while one runs waits for it and has one more run after it. */
  function poll(): Promise<void> {
    if (inflight) {
      again = true;
      return inflight;
    }
    inflight = (async () => {
      do {
        again = false;
        await run();
      } while (again);
    })().finally(() => (inflight = null));
    return inflight;
  }

  async function run(): Promise<void> {
    try {
      followType();
      if (decls === null || type === null) return;
      // Most types declare no IOC: nothing to check, and nothing to say unless this agent
      // reported IOCs before (then one empty report clears them).
      if (decls.length === 0 && !reportedIocs) return;
      const { reports: iocs, next } = await check();
      publishIfChanged(type, iocs);
      await next();
    } catch (e: unknown) {
      log.warn({ err: e }, "IOC check failed");
    }
  }

  function publishIfChanged(type: string, iocs: IocReport[]): void {
    // What the manager judges on; values and change times alone wait for the refresh.
    const key = JSON.stringify([type, iocs.map((r) => [r.running, r.restarts, r.pid, r.detail, r.pvs.map((p) => [p.pv, p.state, p.servers])])]);
    const t = deps.now();
    if (key === lastKey && (iocs.length === 0 || t - lastSent < refreshMs)) return;
    lastKey = key;
    lastSent = t;
    reportedIocs = iocs.length > 0;
    const payload: IocsPayload = { v: 1, session: deps.session, ts: t, type, iocs };
    deps.publish(JSON.stringify(payload));
  }

  return {
    poll,
    /** A message on the followed type topic: the declaration (an empty payload: the type is gone). */
    handle(topic: string, payload: Buffer): boolean {
      if (type === null || topic !== deps.typeTopic(type)) return false;
      if (payload.byteLength === 0) {
        decls = [];
      } else {
        const d = decodePayload(typeIocsViewSchema, payload, MAX_TYPE_BYTES);
        if (!d.ok) {
          log.warn({ topic, code: d.code, detail: d.message }, "type declaration ignored");
          return true;
        }
        decls = d.value.iocs ?? [];
      }
      lastKey = "";
      void poll();
      return true;
    },
    /** After a reconnect: the next check publishes even if nothing changed (the broker may have lost it). */
    resend(): void {
      lastKey = "";
    },
    start(): void {
      followType();
      stopPoll = startPoll(() => void poll(), deps.pollMs, deps.intervals);
    },
    stop(): void {
      stopPoll?.();
      stopPoll = null;
      deps.follow(null);
      deps.pvs.close();
      type = null;
      decls = null;
      lastKey = "";
    },
  };
}
export type IocMonitor = ReturnType<typeof createIocMonitor>;
