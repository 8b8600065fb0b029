import { MAX_HEARTBEAT_BYTES, PROTOCOL_VERSION, type Heartbeat } from "@bbb/shared";

const MAX_DETAILS = 256;

/**
 * Serialises a heartbeat within MAX_HEARTBEAT_BYTES (docs/protocol.md §"Heartbeat": ≤ 1 KiB). What gives way first:
 * the free-text details (shortened, then dropped), then services (fewest kept), then the other
 * optional fields; the required ones always stay.
 */
export function serializeHeartbeat(hb: Heartbeat, max = MAX_HEARTBEAT_BYTES): string {
  const h: Record<string, unknown> = { ...hb };
  if (typeof h.details === "string" && h.details.length > MAX_DETAILS)
    h.details = `${h.details.slice(0, MAX_DETAILS - 1)}…`;
  // The usual beat fits: one stringify. JSON text is ASCII unless a string holds more, so its
  // length bounds the byte count from below and equals it in the common case.
  const text = JSON.stringify(h);
  if (text.length <= max && (text.length * 3 <= max || Buffer.byteLength(text) <= max)) return text;
  const size = () => Buffer.byteLength(JSON.stringify(h));
  if (size() <= max) return JSON.stringify(h);
  if (typeof h.details === "string") {
    h.details = `${h.details.slice(0, 48)}…`;
    if (size() > max) delete h.details;
  }
  const services = h.services as Record<string, string> | undefined;
  if (services && size() > max) {
    const entries = Object.entries(services);
    while (entries.length && size() > max) {
      entries.pop();
      h.services = Object.fromEntries(entries);
    }
    if (entries.length === 0) delete h.services;
  }
  for (const k of ["rcLocalHash", "nameservers", "pvPrefix", "projectRevision", "agentVersion", "detectedType"]) {
    if (size() <= max) break;
    delete h[k];
  }
  if (size() > max) {
    // Only oversized required strings remain (a 253-char hostname and a long type): cut them.
    h.hostname = String(h.hostname).slice(0, 64);
    h.type = String(h.type).slice(0, 32);
  }
  return JSON.stringify(h);
}

export interface HeartbeatParts {
  id: string;
  session: string;
  seq: number;
  ts: number;
  hostname: string;
  ip: string;
  type: string;
  uptime: number;
  optional: Partial<Omit<Heartbeat, "v" | "id" | "session" | "seq" | "ts" | "hostname" | "ip" | "type" | "uptime">> &
    Record<string, unknown>;
}

/**
 * The required fields first, then the optional ones that have a value, in the order given. One
 * object per beat: no entries array and no spread copy (CPU per heartbeat, BENCHMARKS.md
 * §"Agent footprint").
 */
export function composeHeartbeat(p: HeartbeatParts): Heartbeat {
  const hb: Heartbeat & Record<string, unknown> = {
    v: PROTOCOL_VERSION,
    id: p.id,
    session: p.session,
    seq: p.seq,
    ts: p.ts,
    hostname: p.hostname,
    ip: p.ip,
    type: p.type,
    uptime: p.uptime,
  };
  const opt = p.optional;
  for (const k in opt) {
    const v = opt[k];
    if (v !== undefined && v !== null) hb[k] = v;
  }
  return hb;
}
