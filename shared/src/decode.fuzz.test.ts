import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { scaled, writeFigure } from "../../scripts/reliability.mjs";
import { MAX_COMMAND_BYTES, MAX_HEARTBEAT_BYTES } from "./constants.js";
import { decodePayload } from "./decode.js";
import { SharedErrorCodes } from "./errors.js";
import { wireSchemas } from "./schemas/catalogue.js";
import { heartbeatSchema } from "./schemas/heartbeat.js";
import { statusSchema } from "./schemas/status.js";
import { parseTopic } from "./topics.js";
import { boardIdSchema } from "./ids.js";

/**
 * RELIABILITY.md §"Bad input": decodePayload is the one gate of every outside payload (MQTT messages of
 * every topic, command arguments). Whatever the bytes, it never throws, and a refusal carries one
 * of the three stable codes.
 */
const RUNS = scaled(1500, 100);
const codes = new Set<string>(Object.values(SharedErrorCodes));
const tally = { tried: 0, accepted: 0, rejected: {} as Record<string, number>, topics: 0, fixed: 0 };

function decodeCounted(schemaName: string, bytes: Uint8Array | string, max = 64 * 1024) {
  const schema = wireSchemas[schemaName];
  if (!schema) throw new Error(`no schema ${schemaName}`);
  const d = decodePayload(schema, bytes, max);
  tally.tried++;
  if (d.ok) tally.accepted++;
  else {
    tally.rejected[d.code] = (tally.rejected[d.code] ?? 0) + 1;
    expect(codes.has(d.code)).toBe(true);
    expect(d.message.length).toBeGreaterThan(0);
  }
  return d;
}

const valid: Record<string, unknown> = {
  status: { v: 1, state: "online", session: "s1", ts: 1 },
  heartbeat: { v: 1, id: "a0f6fd8b1c22", session: "s1", seq: 1, ts: 1, hostname: "h", ip: "10.0.0.1", type: "t", uptime: 1 },
  command: { id: "r1", args: {} },
  result: { v: 1, id: "r1", action: "ping", status: "succeeded", ts: 1 },
  log: { v: 1, level: "info", msg: "m", ts: 1 },
  "manager-request": { transaction: "t1", params: {} },
};

/** Mutations of a valid payload: a field replaced by any JSON value, dropped, or the text cut. */
const mutated = (base: Record<string, unknown>) =>
  fc.oneof(
    fc.record({ k: fc.constantFrom(...Object.keys(base)), v: fc.jsonValue() }).map(({ k, v }) => JSON.stringify({ ...base, [k]: v })),
    fc.constantFrom(...Object.keys(base)).map((k) => {
      const o = { ...base };
      delete o[k];
      return JSON.stringify(o);
    }),
    fc.nat().map((n) => {
      const s = JSON.stringify(base);
      return s.slice(0, n % s.length);
    }),
    fc.record({ k: fc.string({ maxLength: 20 }), v: fc.jsonValue() }).map(({ k, v }) => JSON.stringify({ ...base, [k]: v })),
  );

const boundaryNumbers = fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 53), 1e308, -1e308, 0.5, Number.MAX_SAFE_INTEGER + 2);

afterAll(() => {
  writeFigure("input-decode", {
    kind: "input",
    title: "Wire payloads: decodePayload of every schema, parseTopic",
    test: "shared/src/decode.fuzz.test.ts",
    claim: "Never throws; refusals carry PROTO_E_INVALID_JSON, PROTO_E_INVALID_PAYLOAD or PROTO_E_TOO_LARGE.",
    fixed: ["invalid UTF-8 and UTF-16 payloads were decoded with U+FFFD and accepted (e.g. a hostname); now refused (PROTO_E_INVALID_JSON, \"not valid UTF-8\")."],
    figures: {
      "payloads tried": tally.tried,
      accepted: tally.accepted,
      ...Object.fromEntries(Object.entries(tally.rejected).map(([k, v]) => [`rejected ${k}`, v])),
      "topics tried": tally.topics,
      "fixed cases": tally.fixed,
    },
  });
});

describe("decodePayload under generated garbage", () => {
  it("never throws on random bytes, random text or any JSON value, for every wire schema", () => {
    const names = Object.keys(wireSchemas);
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }),
          fc.string({ maxLength: 256, unit: "binary" }),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"),
          fc.anything().map((v) => {
            try {
              return JSON.stringify(v) ?? "";
            } catch {
              return "";
            }
          }),
        ),
        (name, bytes) => {
          decodeCounted(name, typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes);
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });

  it("accepts a valid payload and refuses each mutation that breaks the schema with INVALID_PAYLOAD or INVALID_JSON", () => {
    for (const [name, base] of Object.entries(valid)) {
      expect(decodeCounted(name, JSON.stringify(base)).ok).toBe(true);
      fc.assert(
        fc.property(mutated(base as Record<string, unknown>), (text) => {
          const d = decodeCounted(name, Buffer.from(text, "utf8"));
          if (!d.ok) expect([SharedErrorCodes.INVALID_JSON, SharedErrorCodes.INVALID_PAYLOAD]).toContain(d.code);
        }),
        { numRuns: RUNS },
      );
    }
  });

  it("refuses boundary numbers where the contract bounds them", () => {
    fc.assert(
      fc.property(boundaryNumbers, fc.constantFrom("seq", "ts", "uptime", "memUsedPct", "tempC"), (n, field) => {
        const d = decodeCounted("heartbeat", JSON.stringify({ ...(valid.heartbeat as object), [field]: n }));
        if (n < 0 || !Number.isSafeInteger(n)) {
          if (field === "seq" || field === "ts") expect(d.ok).toBe(false);
        }
        if (field === "memUsedPct" && (n < 0 || n > 100)) expect(d.ok).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("decodePayload fixed cases", () => {
  const hb = valid.heartbeat as Record<string, unknown>;

  it("refuses a payload over the limit before parsing it", () => {
    tally.fixed++;
    const big = Buffer.alloc(10 * 1024 * 1024, 0x20);
    const d = decodePayload(heartbeatSchema, big, MAX_HEARTBEAT_BYTES);
    expect(d).toMatchObject({ ok: false, code: SharedErrorCodes.TOO_LARGE });
    tally.fixed++;
    expect(decodePayload(heartbeatSchema, JSON.stringify({ ...hb, details: "x".repeat(2000) }), MAX_HEARTBEAT_BYTES)).toMatchObject({
      ok: false,
      code: SharedErrorCodes.TOO_LARGE,
    });
  });

  it("survives 100,000 nested arrays and objects (JSON.parse depth) with a stable code", () => {
    for (const deep of ["[".repeat(100_000) + "]".repeat(100_000), '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000)]) {
      for (const name of Object.keys(wireSchemas)) {
        tally.fixed++;
        const d = decodePayload(wireSchemas[name]!, deep, 1024 * 1024);
        expect(d.ok).toBe(false);
      }
    }
    // Deep nesting where the schema takes anything (a command's args): accepted here, the action's own schema refuses it.
    const args = '{"args":' + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    tally.fixed++;
    expect(decodePayload(wireSchemas.command!, args, MAX_COMMAND_BYTES * 4).ok).toBe(true);
  });

  it("refuses wrong encodings: invalid UTF-8, UTF-16 with a BOM, Latin-1, NUL bytes", () => {
    const json = JSON.stringify({ ...hb, hostname: "caf\u00e9" });
    /** The valid heartbeat with raw bytes in place of its hostname's value. */
    const withBytes = (raw: number[]) => {
      const [a, b] = JSON.stringify({ ...hb, hostname: "@@" }).split("@@");
      return Buffer.concat([Buffer.from(a!), Buffer.from(raw), Buffer.from(b!)]);
    };
    const cases: [string, Buffer][] = [
      ["invalid UTF-8 in a string", withBytes([0xc3, 0x28])],
      ["lone continuation byte", withBytes([0x80])],
      ["surrogate half encoded in UTF-8", withBytes([0xed, 0xa0, 0x80])],
      ["UTF-16LE with BOM", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, "utf16le")])],
      ["UTF-16BE with BOM", Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(json, "utf16le").swap16()])],
      ["Latin-1", Buffer.from(json, "latin1")],
      ["overlong encoding of '/'", withBytes([0xc0, 0xaf])],
    ];
    for (const [what, bytes] of cases) {
      tally.fixed++;
      const d = decodePayload(heartbeatSchema, bytes, 64 * 1024);
      expect(d.ok, what).toBe(false);
      if (!d.ok) expect(codes.has(d.code)).toBe(true);
    }
    // A UTF-8 BOM is tolerated (RFC 8259 §8.1 allows a parser to ignore it); valid UTF-8 passes.
    tally.fixed += 2;
    expect(decodePayload(statusSchema, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(valid.status))]), 512).ok).toBe(true);
    expect(decodePayload(heartbeatSchema, Buffer.from(json, "utf8"), 64 * 1024).ok).toBe(true);
  });

  it("takes an empty payload as `{}` only where asked", () => {
    tally.fixed += 2;
    expect(decodePayload(wireSchemas.command!, Buffer.alloc(0), 1024, { emptyAs: {} }).ok).toBe(true);
    expect(decodePayload(statusSchema, Buffer.alloc(0), 1024)).toMatchObject({ ok: false, code: SharedErrorCodes.INVALID_JSON });
  });
});

describe("parseTopic under generated garbage", () => {
  it("never throws and yields only valid board ids", () => {
    const level = fc.oneof(fc.string({ maxLength: 70 }), fc.constantFrom("+", "#", "", "..", "registry", "manager", "cmd", "status", "result", "a0f6fd8b1c22"));
    fc.assert(
      fc.property(fc.array(level, { maxLength: 7 }), fc.boolean(), (levels, rooted) => {
        tally.topics++;
        const t = parseTopic((rooted ? ["bbb", ...levels] : levels).join("/"));
        if (t && "boardId" in t && t.kind !== "registry-host") expect(boardIdSchema.safeParse(t.boardId).success).toBe(true);
      }),
      { numRuns: RUNS * 4 },
    );
  });
});
