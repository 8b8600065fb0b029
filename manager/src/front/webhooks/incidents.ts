import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Problem } from "@bbb/shared";
import type { ProblemsChangeEvent, StateChangeEvent } from "../../service/events.js";
import type { Clock } from "./clock.js";
import type { Deliverer } from "./delivery.js";
import { problemLabel } from "./problem-words.js";
import type { IncidentPayload, MaintenanceWindow, WebhookRule } from "./schemas.js";

interface BoardInfo {
  key: string;
  hostname: string | null;
  sector: string | null;
  type: string | null;
  state: string;
  since: number;
  problems: readonly Problem[];
}

interface Incident {
  id: string;
  rule: WebhookRule;
  sector: string | null;
  openedAt: number;
  /** Boards that fired into this incident, and whether each is still in a rule state. */
  boards: Map<string, { info: BoardInfo; active: boolean }>;
  phase: "collecting" | "open";
  timer: unknown;
}

export function windowCovers(w: MaintenanceWindow, b: { key: string; sector: string | null }, now: number): boolean {
  if (now >= w.until || (w.from !== null && now < w.from)) return false;
  return w.all || w.boardIds.includes(b.key) || (b.sector !== null && w.sectors.includes(b.sector));
}

export function ruleMatches(
  rule: WebhookRule,
  b: { key: string; sector: string | null; type: string | null },
): boolean {
  if (!rule.enabled) return false;
  if (rule.boardIds.length > 0 && !rule.boardIds.includes(b.key)) return false;
  if (rule.sectors.length > 0 && (b.sector === null || !rule.sectors.includes(b.sector))) return false;
  if (rule.types.length > 0 && (b.type === null || !rule.types.includes(b.type))) return false;
  return true;
}

/** Problems of a board a rule fires on: its codes, `threshold` from the rule's severity up. */
export function firingProblems(rule: WebhookRule, b: Pick<BoardInfo, "problems">): Problem[] {
  if (rule.problems.length === 0) return [];
  return b.problems.filter(
    (p) => rule.problems.includes(p.code) && !(p.code === "threshold" && rule.severity === "critical" && p.severity !== "critical"),
  );
}

/**
 * Whether a board is in what a rule watches: a rule with problem codes watches those (in any
 * state; its states are not used), any other rule its states.
 */
const inCondition = (rule: WebhookRule, b: BoardInfo) =>
  ruleMatches(rule, b) &&
  (rule.problems.length > 0 ? firingProblems(rule, b).length > 0 : rule.states.includes(b.state as never));

const ruleLabel = (rule: WebhookRule, had: readonly { code: string }[]) =>
  rule.problems.length > 0 ? problemLabel(rule.problems, had) : rule.states.join("/");

/**
 * Turns state changes into incidents: a board must stay in a rule's state for `delayMs`
 * (a short blip notifies nobody); boards of one sector firing within `groupWindowMs` form one
 * incident, delivered once; boards firing while it is open join it silently; it resolves when
 * every board has left the state. Maintenance windows swallow firings, and a board still down
 * when its window ends fires then.
 */
export function createIncidentEngine(deps: {
  clock: Clock;
  deliverer: Deliverer;
  rules: () => readonly WebhookRule[];
  windows: () => readonly MaintenanceWindow[];
  log: Logger;
}) {
  const { clock, deliverer } = deps;
  const boards = new Map<string, BoardInfo>();
  const pending = new Map<string, unknown>();
  const incidents = new Map<string, Incident>();
  /** rule|board -> incident key, for boards currently inside an incident. */
  const membership = new Map<string, string>();

  const pk = (rule: WebhookRule, boardKey: string) => `${rule.id}|${boardKey}`;
  const groupKey = (rule: WebhookRule, b: BoardInfo) =>
    `${rule.id}|${b.sector !== null ? `sector:${b.sector}` : `board:${b.key}`}`;

  const silencedBy = (b: BoardInfo, now: number) => deps.windows().find((w) => windowCovers(w, b, now)) ?? null;

  function payload(inc: Incident, event: "firing" | "resolved"): IncidentPayload {
    const list = [...inc.boards.values()].map(({ info }) => {
      const problems = firingProblems(inc.rule, info);
      return {
        boardId: info.key,
        hostname: info.hostname,
        type: info.type,
        state: info.state,
        since: info.since,
        ...(inc.rule.problems.length > 0 ? { problems: problems.map((p) => ({ code: p.code, message: p.message })) } : {}),
      };
    });
    const states = ruleLabel(inc.rule, list.flatMap((b) => b.problems ?? []));
    const where = inc.sector !== null ? ` in sector ${inc.sector}` : "";
    const what = list.length === 1 ? `${list[0]?.hostname ?? list[0]?.boardId} is` : `${list.length} boards are`;
    const text =
      event === "firing"
        ? `${what} ${states}${where} for more than ${Math.round(inc.rule.delayMs / 1000)} s`
        : `resolved: ${list.length === 1 ? (list[0]?.hostname ?? list[0]?.boardId) : `${list.length} boards`}${where} no longer ${states}`;
    const now = clock.now();
    return {
      v: 1,
      event,
      text,
      incident: {
        id: inc.id,
        rule: { id: inc.rule.id, name: inc.rule.name },
        sector: inc.sector,
        states: inc.rule.states,
        problems: inc.rule.problems,
        openedAt: inc.openedAt,
        resolvedAt: event === "resolved" ? now : null,
        boards: list,
      },
      ts: now,
    };
  }

  function close(key: string, inc: Incident, notify: boolean) {
    clock.clearTimeout(inc.timer);
    incidents.delete(key);
    for (const boardKey of inc.boards.keys()) membership.delete(pk(inc.rule, boardKey));
    if (notify && inc.phase === "open" && inc.rule.sendResolved) deliverer.send(inc.rule, payload(inc, "resolved"));
  }

  function publish(key: string, inc: Incident) {
    inc.phase = "open";
    const now = clock.now();
    // A window opened while the incident was collecting also silences it.
    for (const [boardKey, m] of inc.boards) {
      if (silencedBy(m.info, now)) {
        inc.boards.delete(boardKey);
        membership.delete(pk(inc.rule, boardKey));
      }
    }
    if (inc.boards.size === 0) {
      close(key, inc, false);
      return;
    }
    deliverer.send(inc.rule, payload(inc, "firing"));
    if (![...inc.boards.values()].some((m) => m.active)) close(key, inc, true);
  }

  function fire(rule: WebhookRule, b: BoardInfo) {
    pending.delete(pk(rule, b.key));
    const now = clock.now();
    const w = silencedBy(b, now);
    if (w) {
      deliverer.silenced(rule, `silenced:${w.id}`, 1);
      // Look again when the window ends: a board still down then is news.
      const t = clock.setTimeout(
        () => {
          pending.delete(pk(rule, b.key));
          const cur = boards.get(b.key);
          if (cur && inCondition(rule, cur)) fire(rule, cur);
        },
        Math.max(0, w.until - now),
      );
      pending.set(pk(rule, b.key), t);
      return;
    }
    const key = groupKey(rule, b);
    let inc = incidents.get(key);
    if (!inc) {
      const created: Incident = {
        id: randomUUID(),
        rule,
        sector: b.sector,
        openedAt: now,
        boards: new Map(),
        phase: "collecting",
        timer: null,
      };
      created.timer = clock.setTimeout(() => publish(key, created), rule.groupWindowMs);
      incidents.set(key, created);
      inc = created;
    }
    inc.boards.set(b.key, { info: { ...b }, active: true });
    membership.set(pk(rule, b.key), key);
  }

  function leave(rule: WebhookRule, boardKey: string) {
    const p = pending.get(pk(rule, boardKey));
    if (p !== undefined) {
      clock.clearTimeout(p);
      pending.delete(pk(rule, boardKey));
    }
    const key = membership.get(pk(rule, boardKey));
    const inc = key ? incidents.get(key) : undefined;
    if (!key || !inc) return;
    const m = inc.boards.get(boardKey);
    if (m) m.active = false;
    if (inc.phase === "open" && ![...inc.boards.values()].some((x) => x.active)) close(key, inc, true);
  }

  function onBoard(e: StateChangeEvent | ProblemsChangeEvent): void {
    const key = e.boardId || e.hostname || "";
    if (key === "") return;
    const prev = boards.get(key);
    const state = e.kind === "state-change" ? e.to : e.state;
    const info: BoardInfo = {
      key,
      hostname: e.hostname,
      sector: e.sector,
      type: e.type,
      state,
      since: prev && prev.state === state ? prev.since : e.ts,
      problems: e.problems,
    };
    boards.set(key, info);
    for (const rule of deps.rules()) {
      if (!inCondition(rule, info)) {
        leave(rule, key);
        continue;
      }
      const k = pk(rule, key);
      if (pending.has(k) || membership.has(k)) {
        const m = incidents.get(membership.get(k) ?? "")?.boards.get(key);
        if (m) m.active = true;
        continue;
      }
      pending.set(
        k,
        clock.setTimeout(() => fire(rule, boards.get(key) ?? info), rule.delayMs),
      );
    }
  }

  return {
    onStateChange: onBoard,
    /** Alarms and time sync: the state is unchanged but a watched problem may have come or gone. */
    onProblemsChange: onBoard,
    /** A rule was changed or removed: forget its timers and open incidents (no notifications). */
    resetRule(ruleId: string): void {
      for (const [k, t] of pending) {
        if (k.startsWith(`${ruleId}|`)) {
          clock.clearTimeout(t);
          pending.delete(k);
        }
      }
      for (const [k, inc] of incidents) if (inc.rule.id === ruleId) close(k, inc, false);
    },
    /** Arms a new or changed rule for boards already in its states (they fire after its delay). */
    armRule(rule: WebhookRule): void {
      for (const b of boards.values()) {
        const k = pk(rule, b.key);
        if (!inCondition(rule, b) || pending.has(k) || membership.has(k)) continue;
        pending.set(
          k,
          clock.setTimeout(() => fire(rule, boards.get(b.key) ?? b), rule.delayMs),
        );
      }
    },
    openIncidents(): number {
      return incidents.size;
    },
    stop(): void {
      for (const t of pending.values()) clock.clearTimeout(t);
      pending.clear();
      for (const inc of incidents.values()) clock.clearTimeout(inc.timer);
      incidents.clear();
      membership.clear();
    },
  };
}
