import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import { AGENT_CONNECT_TIMEOUT_MS, AGENT_TCP_CONNECT_TIMEOUT_MS, createTopics, RECONNECT_BACKOFF_CAP_MS, reconnectStep } from "@bbb/shared";
import { DISCONNECT, PINGREQ, createParser, encodeConnect, encodePuback, encodePublish, encodeSubscribe } from "./mqtt-raw.mjs";
import { boardId, boardToken, heartbeatPayload, nowMs, resultPayload, statusPayload } from "./payloads.mjs";

/**
 * One load-generator process: `count` boards, each one raw MQTT connection to 127.0.0.1 that
 * publishes a retained QoS 0 heartbeat every period, with the board's credentials, a birth
 * and a last will (docs/protocol.md §"Topic tree"). Controlled over IPC by load-gen.mjs.
 */
let cfg = null;
let topics = null;
const boards = [];
let sent = 0;
let sentSince = 0;
let markSince = Infinity;
let connectsDone = 0;
let failed = 0;
let busy = 0;
let cmdsReceived = 0;
let resultsSent = 0;
let publishing = true;
let tickTimer = null;
let rampTimer = null;
let nextToConnect = 0;
let inFlight = 0;
/** The agent's reconnect back-off (agent/src/mqtt/backoff.ts DEFAULT_BACKOFF). */
const AGENT_BACKOFF = { baseMs: 500, capMs: RECONNECT_BACKOFF_CAP_MS, jitter: "full" };

function reply(msg, data) {
  process.send?.({ ...data, rid: msg.rid });
}

function credentials(b) {
  const a = cfg.auth ?? { kind: "none" };
  if (a.kind === "token") return { username: b.id, password: boardToken(a.secret, b.id) };
  if (a.kind === "fixed") return { username: a.username, password: a.password };
  return {};
}

function openBoard(b) {
  inFlight++;
  b.state = "connecting";
  b.parser = createParser();
  const url = cfg.urls[b.urlIndex % cfg.urls.length];
  const sock = connect({ host: url.host, port: url.port, noDelay: true });
  b.sock = sock;
  sock.setNoDelay(true);
  sock.on("data", (d) => b.parser.parse(d));
  b.refused = false;
  sock.on("error", (e) => {
    b.refused = e?.code === "ECONNREFUSED";
  });
  sock.on("close", () => {
    clearTimeout(b.connectTimer);
    clearTimeout(b.tcpTimer);
    onClose(b, sock);
  });
  // As an agent does (agent/src/mqtt/connection.ts): an attempt whose TCP connection is not
  // established within 10 s, or that has no CONNACK 30 s after it began, is abandoned and
  // retried after the back-off, however long the broker's listen queue or its own work held it.
  // cfg.connectTimeouts: another build's agents (the restart phase's reference).
  if (cfg.reconnect === "backoff") {
    b.tcpTimer = setTimeout(() => sock.connecting && b.sock === sock && sock.destroy(), cfg.connectTimeouts?.tcpMs ?? AGENT_TCP_CONNECT_TIMEOUT_MS);
    b.connectTimer = setTimeout(() => b.state === "connecting" && b.sock === sock && sock.destroy(), cfg.connectTimeouts?.connackMs ?? AGENT_CONNECT_TIMEOUT_MS);
  }
  b.parser.on("packet", (p) => onPacket(b, p));
  b.parser.on("error", () => sock.destroy());
  const will = cfg.will ? { topic: topics.status(b.id), payload: statusPayload("lost", b.session), qos: 1, retain: true } : undefined;
  sock.write(encodeConnect({ clientId: b.id, keepalive: cfg.keepalive, will, ...credentials(b) }));
}

function onClose(b, sock) {
  if (b.sock !== sock) return;
  if (b.state === "busy") {
    b.sock = null;
    return;
  }
  if (b.state === "connecting") {
    inFlight--;
    failed++;
  }
  const wasUp = b.state === "up";
  b.state = b.state === "dropped" || b.state === "closing" ? b.state : "down";
  b.sock = null;
  if (wasUp) connectsDone--;
  if (cfg.reconnect && b.state === "down") {
    // Reconnect with backoff and jitter (what agents do), to the next broker URL of the list.
    // "backoff": the agent's own schedule (agent/src/mqtt/connection.ts: 500 ms doubling to 30 s,
    // full jitter, at most 4 s after a refused TCP connection), reset by a successful CONNACK.
    b.urlIndex++;
    let delay = 300 + Math.random() * 1200;
    if (cfg.reconnect === "backoff") {
      const step = reconnectStep(b.attempt, b.refused, AGENT_BACKOFF);
      delay = step.delayMs;
      b.attempt = step.next;
    }
    setTimeout(() => {
      if (b.state === "down") openBoard(b);
    }, delay);
  }
}

function onPacket(b, p) {
  switch (p.cmd) {
    case "connack":
      clearTimeout(b.connectTimer);
      inFlight--;
      if (p.returnCode === 3) {
        // "Server busy" (docs/protocol.md §"Server busy"): a failed attempt like any other, as
        // the agent counts it (the same back-off and count, reset by an accepted CONNECT).
        busy++;
        b.state = "busy";
        b.sock?.destroy();
        const step = reconnectStep(b.attempt, false, AGENT_BACKOFF);
        b.attempt = step.next;
        setTimeout(() => {
          if (b.state === "busy") openBoard(b);
        }, step.delayMs);
        return;
      }
      if (p.returnCode !== 0) {
        failed++;
        b.state = "refused";
        b.sock?.destroy();
        return;
      }
      b.attempt = 0;
      b.state = "up";
      b.connects++;
      connectsDone++;
      b.nextDue = nowMs() + Math.random() * cfg.periodMs;
      b.lastTx = nowMs();
      if (cfg.birth) b.sock.write(encodePublish(topics.status(b.id), statusPayload("online", b.session), { qos: 1, retain: true, msgId: nextMsgId(b) }));
      if (cfg.respond) b.sock.write(encodeSubscribe(nextMsgId(b), [topics.cmdAll(b.id)], 1));
      return;
    case "publish":
      if (p.qos > 0) b.sock?.write(encodePuback(p.messageId));
      onCommand(b, p);
      return;
    default:
      return;
  }
}

function nextMsgId(b) {
  b.msgId = (b.msgId % 65535) + 1;
  return b.msgId;
}

/** Answers a command like an agent would: `accepted`, then `succeeded` (reboot: accepted is final). */
function onCommand(b, p) {
  cmdsReceived++;
  const action = p.topic.slice(p.topic.lastIndexOf("/") + 1);
  let reqId = null;
  try {
    const body = p.payload.length ? JSON.parse(p.payload.toString()) : {};
    reqId = typeof body.id === "string" ? body.id : null;
  } catch {
    reqId = null;
  }
  reqId ??= randomBytes(8).toString("hex");
  const send = (status) => {
    if (!b.sock || b.state !== "up") return;
    b.sock.write(encodePublish(topics.result(b.id, reqId), resultPayload(reqId, action, status), { qos: 1, msgId: nextMsgId(b) }));
    resultsSent++;
  };
  send("accepted");
  if (action !== "reboot" && action !== "apply-node") setImmediate(() => send("succeeded"));
}

/** Spreads the boards' beats over the period: every 5 ms, send the beats that are due. */
function tick() {
  const now = nowMs();
  if (!publishing) return;
  for (let i = 0; i < boards.length; i++) {
    const b = boards[i];
    if (b.state !== "up" || b.paused) continue;
    if (now >= b.nextDue) {
      b.seq++;
      // One clock reading per beat: the send time in the payload and the window count agree.
      const t = nowMs();
      // Probe boards change `details` every second beat (an attribute change the registry
      // publishes within its coalescing window) so heartbeat → registry latency is observable.
      const details = b.probe ? `probe ${Math.floor(b.seq / 2)}` : undefined;
      b.sock.write(encodePublish(b.hbTopic, heartbeatPayload(b.id, b.session, b.seq, b.index, cfg.startedAt, details, t), { retain: true }));
      sent++;
      if (t >= markSince) sentSince++;
      b.lastTx = now;
      b.nextDue += cfg.periodMs;
      if (b.nextDue < now) b.nextDue = now + cfg.periodMs;
    } else if (now - b.lastTx > (cfg.keepalive * 1000) / 2) {
      b.sock.write(PINGREQ);
      b.lastTx = now;
    }
  }
}

function ramp() {
  const perTick = Math.max(1, Math.round((cfg.connectsPerSec * 20) / 1000));
  for (let k = 0; k < perTick && nextToConnect < boards.length && inFlight < cfg.maxInFlight; k++) {
    openBoard(boards[nextToConnect++]);
  }
  if (nextToConnect >= boards.length) {
    clearInterval(rampTimer);
    rampTimer = null;
  }
}

function counts() {
  return { sent, sentSince, connected: connectsDone, failed, busy, cmdsReceived, resultsSent, t: nowMs(), pid: process.pid };
}

function pick(msg) {
  const up = boards.filter((b) => b.state === "up" && !b.paused);
  if (msg.ids) return boards.filter((b) => msg.ids.includes(b.id));
  return up.slice(0, msg.count ?? 0);
}

const handlers = {
  start(msg) {
    cfg = { keepalive: 2, periodMs: 1000, connectsPerSec: 250, maxInFlight: 200, startedAt: Date.now() - 3_600_000, ...msg.cfg };
    topics = createTopics(cfg.root ?? "bbb");
    for (let k = 0; k < cfg.count; k++) {
      const index = cfg.from + k;
      const id = boardId(cfg.prefix, index);
      boards.push({ id, index, hbTopic: topics.heartbeat(id), session: randomBytes(6).toString("hex"), seq: 0, state: "idle", attempt: 0, connects: 0, msgId: 0, nextDue: 0, lastTx: 0, urlIndex: index, paused: false, sock: null, probe: cfg.probeEvery ? index % cfg.probeEvery === 0 : false });
    }
    rampTimer = setInterval(ramp, 20);
    tickTimer = setInterval(tick, 5);
    reply(msg, { ok: true });
  },
  counts(msg) {
    reply(msg, counts());
  },
  /** Counts the beats sent from `since` on (same clock as the probes' windows). */
  mark(msg) {
    markSince = msg.since;
    sentSince = 0;
    reply(msg, counts());
  },
  publishing(msg) {
    publishing = msg.on;
    reply(msg, counts());
  },
  /** Abrupt loss: destroy the sockets without DISCONNECT, so the broker sends the will. */
  drop(msg) {
    const chosen = pick(msg);
    const t = nowMs();
    for (const b of chosen) {
      b.state = "dropped";
      b.sock?.destroy();
    }
    reply(msg, { ids: chosen.map((b) => b.id), t });
  },
  /** Silent freeze of some boards inside this process: no beats, no pings, socket left open. */
  pause(msg) {
    const chosen = pick(msg);
    const t = nowMs();
    for (const b of chosen) b.paused = true;
    reply(msg, { ids: chosen.map((b) => b.id), t });
  },
  ids(msg) {
    reply(msg, { ids: boards.filter((b) => b.state === "up").map((b) => b.id) });
  },
  async close(msg) {
    clearInterval(tickTimer);
    if (rampTimer) clearInterval(rampTimer);
    for (const b of boards) {
      if (b.sock && b.state === "up") {
        b.state = "closing";
        b.sock.end(DISCONNECT);
      } else b.sock?.destroy();
    }
    setTimeout(() => {
      reply(msg, counts());
      process.exit(0);
    }, 200);
  },
};

process.on("message", (msg) => {
  const h = handlers[msg?.cmd];
  if (h) h(msg);
});
process.on("disconnect", () => process.exit(0));
setInterval(() => process.send?.({ type: "progress", ...counts(), target: boards.length }), 500).unref();
