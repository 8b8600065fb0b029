import { BOARD_ID_PATTERN, RESERVED_IDS, SESSION_PATTERN } from "../ids.js";
import { heartbeatSchema, serviceStates, type Heartbeat } from "./heartbeat.js";

/**
 * The heartbeat's schema as plain checks, for the one payload a server decodes tens of thousands
 * of times a second (zod's parse cost about 3 µs a beat, this under 1 µs). It accepts exactly
 * what `heartbeatSchema` accepts; anything it does not accept goes to the schema, which says why
 * (decodePayload's `check`). `heartbeat-check.test.ts` holds the two to the same verdicts and
 * outputs over generated payloads, and fails when the schema gains a field this does not check.
 */
type Check = (v: unknown) => boolean;

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const str =
  (max: number): Check =>
  (v) =>
    typeof v === "string" && v.length <= max;
const num =
  (min: number, max: number): Check =>
  (v) =>
    isNum(v) && v >= min && v <= max;
const nonNegInt: Check = (v) => Number.isSafeInteger(v) && (v as number) >= 0;
const oneOf = (values: readonly string[]): Check => {
  const set = new Set(values);
  return (v) => typeof v === "string" && set.has(v);
};
const strList = (maxItems: number, maxLen: number): Check => {
  const item = str(maxLen);
  return (v) => Array.isArray(v) && v.length <= maxItems && v.every(item);
};
const pvPrefixOne = str(128);
const pvPrefixList = strList(16, 128);
const reserved: ReadonlySet<string> = new Set(RESERVED_IDS);
const serviceState = oneOf(serviceStates);

function services(v: unknown): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype)
    return false;
  for (const k of Object.keys(v)) {
    if (k === "__proto__" || k.length > 128 || !serviceState((v as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Every field of the schema, required or optional. */
export const HEARTBEAT_FIELD_CHECKS: Readonly<Record<string, { required: boolean; check: Check }>> = {
  v: { required: true, check: (v) => v === 1 },
  id: { required: true, check: (v) => typeof v === "string" && BOARD_ID_PATTERN.test(v) && !reserved.has(v) },
  session: { required: true, check: (v) => typeof v === "string" && SESSION_PATTERN.test(v) },
  seq: { required: true, check: nonNegInt },
  ts: { required: true, check: nonNegInt },
  hostname: { required: true, check: str(253) },
  ip: { required: true, check: str(45) },
  type: { required: true, check: str(64) },
  uptime: { required: true, check: num(0, Infinity) },
  mac: { required: false, check: str(32) },
  ipMode: { required: false, check: oneOf(["dhcp", "manual"]) },
  netmask: { required: false, check: str(15) },
  gateway: { required: false, check: str(15) },
  nameservers: { required: false, check: strList(8, 45) },
  pvPrefix: { required: false, check: (v) => pvPrefixOne(v) || pvPrefixList(v) },
  details: { required: false, check: str(256) },
  load1: { required: false, check: num(0, Infinity) },
  memUsedPct: { required: false, check: num(0, 100) },
  diskUsedPct: { required: false, check: num(0, 100) },
  tempC: { required: false, check: num(-100, 250) },
  agentVersion: { required: false, check: str(32) },
  projectRevision: { required: false, check: str(64) },
  rcLocalHash: { required: false, check: str(64) },
  services: { required: false, check: services },
  timeSync: { required: false, check: oneOf(["synced", "unsynced", "unknown"]) },
  clockOffsetMs: { required: false, check: num(-1e9, 1e9) },
};

const FIELDS = Object.keys(heartbeatSchema.shape).map((name) => {
  const f = HEARTBEAT_FIELD_CHECKS[name];
  if (!f) throw new Error(`heartbeat-check: the schema's field ${name} has no check`);
  return { name, ...f };
});

/**
 * The parsed heartbeat itself when the schema accepts it, else null (the schema then judges it).
 * Nothing is copied: the object JSON.parse made is what the schema's copy would hold, the same
 * fields with the same values (in the payload's order; the schema's copy lists its own fields
 * first). A payload with a `__proto__` field, which the schema leaves out of its copy, is the
 * schema's to judge.
 */
export function checkHeartbeat(value: unknown): Heartbeat | null {
  if (typeof value !== "object" || value === null || Object.getPrototypeOf(value) !== Object.prototype) return null;
  const input = value as Record<string, unknown>;
  if (Object.hasOwn(input, "__proto__")) return null;
  for (const f of FIELDS) {
    const v = input[f.name];
    if (v === undefined) {
      if (f.required) return null;
    } else if (!f.check(v)) return null;
  }
  return input as Heartbeat;
}
