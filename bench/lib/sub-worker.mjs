import { connect } from "node:net";
import { parseTopic } from "@bbb/shared";
import { PINGREQ, createParser, encodeConnect, encodeSubscribe } from "./mqtt-raw.mjs";
import { nowMs } from "./payloads.mjs";
import { summarize } from "./stats.mjs";

/**
 * The measuring subscriber, in its own process so that its work does not slow the
 * orchestrator: counts deliveries, publish→subscriber latency of heartbeats (send time in
 * the payload's `bt`, same machine clock), registry host state transitions and latency
 * (heartbeat → registry/hosts), and command results.
 */
let cfg = null;
let sock = null;
let root = "bbb";
const counts = { heartbeat: 0, registryHost: 0, status: 0, result: 0, other: 0, hbAdvanced: 0 };
let hbLat = [];
let regLat = [];
let since = Infinity;
const lastState = new Map();
const awaiting = new Set();
const lastSeq = new Map();
const transitions = [];
const results = new Map();

function onPublish(p) {
  const t = nowMs();
  // Heartbeats are most of the traffic: recognised by their last level without the full
  // parseTopic (its zod board-id check costs more than everything else here).
  const hbFast = p.topic.endsWith("/heartbeat");
  const parsed = hbFast ? null : parseTopic(p.topic, root);
  const kind = hbFast ? "heartbeat" : parsed?.kind;
  if (kind === "heartbeat") {
    counts.heartbeat++;
    // Payloads of the generator start with {"bt":<ms>, — read it without a full JSON parse.
    if (p.payload[2] === 0x62 && p.payload[3] === 0x74) {
      const s = p.payload.toString("latin1", 6, 26);
      const bt = parseFloat(s);
      if (bt >= since) hbLat.push(t - bt);
    }
    return;
  }
  if (kind === "registry-host") {
    counts.registryHost++;
    let v;
    try {
      v = JSON.parse(p.payload.toString());
    } catch {
      return;
    }
    if (!v || typeof v.state !== "string") return;
    const id = parsed.boardId;
    // Boards a restarted manager still waits for (docs/protocol.md §"Liveness").
    if (Array.isArray(v.problems) && v.problems.some((x) => x?.code === "awaiting-reconnect")) awaiting.add(id);
    else awaiting.delete(id);
    if (lastState.get(id) !== v.state) {
      lastState.set(id, v.state);
      transitions.push({ id, state: v.state, t });
    }
    const hb = v.heartbeat;
    if (hb && typeof hb.seq === "number") {
      const prev = lastSeq.get(id);
      if (prev === undefined || hb.seq > prev || hb.session !== lastSession.get(id)) {
        lastSeq.set(id, hb.seq);
        lastSession.set(id, hb.session);
        counts.hbAdvanced++;
      }
      // Probe boards: `details` changes at every even seq; the first view showing a new value
      // measures heartbeat → registry latency from the send time of the beat that changed it.
      // A view that skips values (the registry lagged more than two beats) counts every change
      // it skipped, each from the send time of the beat that made it (value k came at seq 2k).
      if (typeof hb.details === "string" && hb.details.startsWith("probe ") && hb.details !== lastDetails.get(id)) {
        const had = lastDetails.has(id);
        const prevValue = Number((lastDetails.get(id) ?? "").slice(6));
        const value = Number(hb.details.slice(6));
        lastDetails.set(id, hb.details);
        const bt = typeof hb.bt === "number" ? hb.bt : hb.ts;
        if (had && Number.isFinite(prevValue) && value > prevValue && !p.retain) {
          for (let k = Math.max(prevValue + 1, value - 20); k <= value; k++) {
            const changedAt = bt - (hb.seq - 2 * k) * periodMs;
            if (changedAt >= since) regLat.push(t - changedAt);
          }
        }
      }
    }
    return;
  }
  if (kind === "status") {
    counts.status++;
    return;
  }
  if (kind === "result") {
    counts.result++;
    try {
      const r = JSON.parse(p.payload.toString());
      const rec = results.get(parsed.requestId) ?? { boardId: parsed.boardId, first: {}, statuses: [] };
      rec.first[r.status] ??= t;
      rec.statuses.push(r.status);
      results.set(parsed.requestId, rec);
    } catch {
      /* not ours to judge */
    }
    return;
  }
  counts.other++;
}
const lastSession = new Map();
const lastDetails = new Map();
let periodMs = 1000;

function open(msg) {
  const url = cfg.url;
  sock = connect({ host: url.host, port: url.port, noDelay: true });
  const parser = createParser();
  sock.on("data", (d) => parser.parse(d));
  sock.on("error", () => {});
  parser.on("packet", (p) => {
    if (p.cmd === "connack") {
      if (p.returnCode !== 0) {
        process.send?.({ rid: msg.rid, error: `connack ${p.returnCode}` });
        return;
      }
      sock.write(encodeSubscribe(1, cfg.filters, 0));
    } else if (p.cmd === "suback") {
      process.send?.({ rid: msg.rid, ok: true, granted: p.granted });
    } else if (p.cmd === "publish") onPublish(p);
  });
  sock.write(encodeConnect({ clientId: cfg.clientId, keepalive: 30, username: cfg.username, password: cfg.password }));
  setInterval(() => sock.write(PINGREQ), 10_000).unref();
}

const handlers = {
  start(msg) {
    cfg = msg.cfg;
    root = cfg.root ?? "bbb";
    periodMs = cfg.periodMs ?? 1000;
    open(msg);
  },
  /** Starts a latency window: only messages sent after `since` count. */
  window(msg) {
    since = msg.since ?? nowMs();
    hbLat = [];
    regLat = [];
    process.send?.({ rid: msg.rid, ok: true, counts: { ...counts } });
  },
  stats(msg) {
    process.send?.({ rid: msg.rid, counts: { ...counts }, hbLatency: summarize(hbLat, 3), regLatency: summarize(regLat, 3), states: stateCounts(), t: nowMs() });
  },
  transitions(msg) {
    const ids = msg.ids ? new Set(msg.ids) : null;
    const out = transitions.filter((x) => (!ids || ids.has(x.id)) && (!msg.state || x.state === msg.state) && (!msg.after || x.t >= msg.after));
    process.send?.({ rid: msg.rid, transitions: out });
  },
  /** How many boards' last state is one of `states`, leaving out `exclude`: a count, not the list (asked twice a second in a storm). */
  countIn(msg) {
    const states = new Set(msg.states);
    const exclude = new Set(msg.exclude ?? []);
    let n = 0;
    for (const [id, st] of lastState) if (states.has(st) && !exclude.has(id)) n++;
    process.send?.({ rid: msg.rid, n });
  },
  results(msg) {
    const out = {};
    for (const id of msg.ids) out[id] = results.get(id) ?? null;
    process.send?.({ rid: msg.rid, results: out });
  },
  resultsSummary(msg) {
    process.send?.({ rid: msg.rid, total: results.size, finals: [...results.values()].filter((r) => r.statuses.some((s) => s !== "accepted" && s !== "running")).length });
  },
};

function stateCounts() {
  const out = {};
  for (const s of lastState.values()) out[s] = (out[s] ?? 0) + 1;
  if (awaiting.size > 0) out["awaiting-reconnect"] = awaiting.size;
  return out;
}

process.on("message", (msg) => handlers[msg?.cmd]?.(msg));
process.on("disconnect", () => process.exit(0));
