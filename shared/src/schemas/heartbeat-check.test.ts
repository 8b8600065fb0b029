import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { scaled } from "../../../scripts/reliability.mjs";
import { MAX_HEARTBEAT_BYTES } from "../constants.js";
import { decodePayload } from "../decode.js";
import { SharedErrorCodes } from "../errors.js";
import { HEARTBEAT_FIELD_CHECKS, checkHeartbeat } from "./heartbeat-check.js";
import { heartbeatSchema } from "./heartbeat.js";

const RUNS = scaled(4000, 300);

/** A full heartbeat as an agent sends it: every optional field present. */
const full = {
  v: 1,
  id: "a0f6fd8b1c22",
  session: "k3Xp_9-a",
  seq: 1234,
  ts: 1_796_600_000_000,
  hostname: "bbb-ia-01-rf",
  ip: "10.128.1.21",
  type: "rf-llrf",
  uptime: 86_400.5,
  mac: "a0:f6:fd:8b:1c:22",
  ipMode: "manual",
  netmask: "255.255.255.0",
  gateway: "10.128.1.1",
  nameservers: ["10.0.0.71", "10.0.0.72"],
  pvPrefix: ["SI-01:RF-LLRF", "SI-01:RF-Amp"],
  details: "cavity 1",
  load1: 0.42,
  memUsedPct: 31.5,
  diskUsedPct: 62,
  tempC: 48.2,
  agentVersion: "0.1.0",
  projectRevision: "a1b2c3d",
  rcLocalHash: "0f".repeat(32),
  services: { "bbb-agent": "active", "ioc-llrf": "failed" },
  timeSync: "synced",
  clockOffsetMs: -3.5,
  bt: 1_796_600_000_000.25,
};
const minimal = { v: 1, id: "b1", session: "s", seq: 0, ts: 0, hostname: "", ip: "", type: "", uptime: 0 };

/** What the schema returns for the same JSON text, as the decoder sees it. */
function both(text: string) {
  const value: unknown = JSON.parse(text);
  const viaSchema = heartbeatSchema.safeParse(JSON.parse(text));
  return {
    checked: checkHeartbeat(value),
    viaSchema,
    hasProto: typeof value === "object" && value !== null && Object.hasOwn(value, "__proto__"),
  };
}

/** The same fields with the same values as the schema's copy (the order is the payload's). */
function expectSameHeartbeat(checked: object, fromSchema: object) {
  expect(Object.keys(checked).sort()).toEqual(Object.keys(fromSchema).sort());
  expect(checked).toEqual(fromSchema);
}

/**
 * Values around every bound a heartbeat field has (string lengths, number ranges, list sizes,
 * reserved ids, enum members), independent of where the schema puts them, and wrong types.
 */
const LENGTHS = [0, 1, 8, 15, 16, 32, 33, 45, 46, 64, 65, 128, 129, 253, 254, 256, 257];
const WORDS = [
  "a0f6fd8b1c22",
  "registry",
  "manager",
  "-bad",
  "UPPER",
  "k3Xp_9-a",
  "a.b",
  "dhcp",
  "manual",
  "static",
  "active",
  "synced",
  "unsynced",
  "unknown",
];
const NUMBERS = [
  -1,
  -0,
  0,
  0.5,
  1,
  100,
  100.0001,
  250,
  250.5,
  -100,
  -100.5,
  1e9,
  1e9 + 1,
  -1e9,
  -1e9 - 1,
  2 ** 53,
  2 ** 53 - 1,
  -(2 ** 53),
  1e308,
  -1e308,
];
const LIST_SIZES = [0, 1, 8, 9, 16, 17];
const ITEM_LENGTHS = [1, 45, 46, 128, 129];
const edgeString = fc.oneof(
  fc.constantFrom(...LENGTHS).map((n) => "x".repeat(n)),
  fc.constantFrom(...WORDS),
  fc.string({ maxLength: 8 }),
);
const edgeNumber = fc.oneof(
  fc.constantFrom(...NUMBERS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const strings = (n: number, len: number) => Array.from({ length: n }, () => "y".repeat(len));
const edgeList = fc.oneof(
  fc.constantFrom(...LIST_SIZES).chain((n) => fc.constantFrom(...ITEM_LENGTHS).map((len) => strings(n, len))),
  fc.array(fc.oneof(edgeString, edgeNumber), { maxLength: 3 }),
);
/** Every field set to each of these, on a full and a minimal heartbeat (deterministic, beside the random mutations). */
const EDGE_VALUES: unknown[] = [
  ...LENGTHS.map((n) => "x".repeat(n)),
  ...WORDS,
  ...NUMBERS,
  ...LIST_SIZES.flatMap((n) => ITEM_LENGTHS.map((len) => strings(n, len))),
  ...[1, 127, 128, 129].map((len) => ({ ["k".repeat(len)]: "active" })),
  { a: "active", b: "up" },
  { a: 1 },
  null,
  true,
  {},
  [],
  [1],
];

const anyValue = fc.oneof(
  edgeString,
  edgeNumber,
  edgeList,
  fc.constantFrom(null, true, false, {}, []),
  fc.dictionary(
    edgeString,
    fc.constantFrom("active", "inactive", "failed", "activating", "deactivating", "unknown", "up", 1),
    { maxKeys: 4 },
  ),
  fc.jsonValue(),
);
const fieldNames = Object.keys(HEARTBEAT_FIELD_CHECKS);

/** A heartbeat with one to three fields replaced, dropped or added (unknown keys, `__proto__` among them). */
const mutatedText = fc
  .tuple(
    fc.constantFrom(full, minimal),
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant("set" as const), k: fc.constantFrom(...fieldNames), v: anyValue }),
        fc.record({ op: fc.constant("drop" as const), k: fc.constantFrom(...fieldNames) }),
        fc.record({
          op: fc.constant("add" as const),
          k: fc.constantFrom("extra", "bt", "constructor", "toString", "hasOwnProperty", "0", "__proto__"),
          v: fc.jsonValue(),
        }),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([base, ops]) => {
    const fields: [string, unknown][] = Object.entries(base);
    for (const o of ops) {
      const at = fields.findIndex(([k]) => k === o.k);
      if (o.op === "drop") {
        if (at >= 0) fields.splice(at, 1);
      } else if (at >= 0) fields[at] = [o.k, o.v];
      else fields.push([o.k, o.v]);
    }
    // Written by hand so that a `__proto__` key reaches JSON.parse as the wire would carry it.
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? "null"}`).join(",")}}`;
  });

describe("checkHeartbeat: the heartbeat schema in plain checks", () => {
  it("checks every field of the schema, and only those", () => {
    expect(Object.keys(HEARTBEAT_FIELD_CHECKS).sort()).toEqual(Object.keys(heartbeatSchema.shape).sort());
  });

  it("accepts an agent's heartbeat and a minimal one, returning what the schema returns", () => {
    for (const hb of [full, minimal]) {
      const { checked, viaSchema } = both(JSON.stringify(hb));
      expect(viaSchema.success).toBe(true);
      expect(checked).not.toBeNull();
      expectSameHeartbeat(checked!, viaSchema.data!);
    }
  });

  it("gives the schema's verdict and output with every field at every bound", () => {
    const seen = { accepted: 0, refused: 0 };
    for (const base of [full, minimal])
      for (const k of fieldNames)
        for (const v of EDGE_VALUES) {
          const text = JSON.stringify({ ...base, [k]: v });
          const { checked, viaSchema } = both(text);
          expect({ k, v, accepted: checked !== null }).toEqual({ k, v, accepted: viaSchema.success });
          if (checked === null) seen.refused++;
          else {
            seen.accepted++;
            expectSameHeartbeat(checked, viaSchema.data!);
          }
        }
    expect(seen.accepted).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(100);
  });

  it("gives the schema's verdict and output on every mutated heartbeat", () => {
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(mutatedText, (text) => {
        const { checked, viaSchema, hasProto } = both(text);
        // A `__proto__` field is always the schema's to judge (it leaves the field out of its copy).
        expect(checked !== null).toBe(viaSchema.success && !hasProto);
        if (checked === null) {
          seen.refused++;
          return;
        }
        seen.accepted++;
        expectSameHeartbeat(checked, viaSchema.data!);
        expect(Object.getPrototypeOf(checked)).toBe(Object.prototype);
      }),
      { numRuns: RUNS },
    );
    // Both verdicts were exercised: a generator that only made valid (or only broken) beats proves nothing.
    expect(seen.accepted).toBeGreaterThan(RUNS / 20);
    expect(seen.refused).toBeGreaterThan(RUNS / 20);
  });

  it("is not given arrays, null, scalars or objects of a class as heartbeats", () => {
    for (const v of [null, [], [full], "hb", 1, true, Object.assign(new (class Beat {})(), full)])
      expect(checkHeartbeat(v)).toBeNull();
  });

  it("leaves a payload with a __proto__ field to the schema, whose copy drops the field", () => {
    const text = `{"__proto__":{"polluted":true},${JSON.stringify(full).slice(1)}`;
    expect(checkHeartbeat(JSON.parse(text))).toBeNull();
    const d = decodePayload(heartbeatSchema, text, MAX_HEARTBEAT_BYTES, { check: checkHeartbeat });
    expect(d.ok && Object.hasOwn(d.value, "__proto__")).toBe(false);
    expect(d.ok && (d.value as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("leaves the refusal to the schema in decodePayload: its reasons, the same codes", () => {
    const bad = decodePayload(heartbeatSchema, JSON.stringify({ ...full, memUsedPct: 101 }), MAX_HEARTBEAT_BYTES, {
      check: checkHeartbeat,
    });
    expect(bad).toMatchObject({ ok: false, code: SharedErrorCodes.INVALID_PAYLOAD });
    expect(bad.ok ? "" : bad.message).toMatch(/memUsedPct/);
    const good = decodePayload(heartbeatSchema, JSON.stringify(full), MAX_HEARTBEAT_BYTES, { check: checkHeartbeat });
    expect(good.ok && good.value.services).toEqual(full.services);
  });
});
