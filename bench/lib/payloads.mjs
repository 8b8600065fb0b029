import { createHmac } from "node:crypto";

/**
 * Payloads of the load generator. Heartbeats are schema-valid (shared heartbeatSchema) and
 * about the size of a real agent's (~560 bytes); the extra field `bt` (unknown fields are
 * kept, docs/protocol.md §"Heartbeat") carries the send time with sub-millisecond resolution for latency.
 */

/** Board id of generated board `i`: MAC-like lower-case hex, distinct per prefix. */
export function boardId(prefix, i) {
  return `${prefix}${i.toString(16).padStart(12 - prefix.length, "0")}`;
}

/** Same derivation as @bbb/broker deriveBoardToken (docs/protocol.md §"Authentication and ACL"). */
export function boardToken(secret, id) {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(id, "utf8").digest("hex");
}

/** Wall-clock milliseconds with sub-ms resolution, comparable across processes of this machine. */
export function nowMs() {
  return performance.timeOrigin + performance.now();
}

export function heartbeatPayload(id, session, seq, i, startedAt, details = "MBTemps connected [1, 2]", now = nowMs()) {
  const a = (i >> 8) & 255;
  const b = i & 255;
  const ts = Math.floor(now);
  return (
    `{"bt":${now.toFixed(3)},"v":1,"id":"${id}","session":"${session}","seq":${seq},"ts":${ts},` +
    `"hostname":"BENCH-Sim--CO-${id}","ip":"10.128.${a}.${b}","type":"mbtemp",` +
    `"uptime":${Math.floor((ts - startedAt) / 1000)},"mac":"${id}","ipMode":"manual","netmask":"255.255.255.0",` +
    `"gateway":"10.128.${a}.1","nameservers":["10.0.0.71","10.0.0.72"],"pvPrefix":"BENCH:${id}:",` +
    `"details":"${details}","load1":0.12,"memUsedPct":31.5,"diskUsedPct":42.1,"tempC":47.2,` +
    `"agentVersion":"0.1.0","projectRevision":"a1b2c3d4","services":{"bbb-function":"active","bbb-bridge":"active"}}`
  );
}

export function statusPayload(state, session) {
  return `{"v":1,"state":"${state}","session":"${session}","ts":${Date.now()}}`;
}

export function resultPayload(reqId, action, status) {
  return `{"v":1,"id":"${reqId}","action":"${action}","status":"${status}","ts":${Date.now()}}`;
}
