import { describe, expect, it } from "vitest";
import { decodePayload } from "./decode.js";
import { commandSchema } from "./schemas/command.js";
import { heartbeatSchema } from "./schemas/heartbeat.js";
import { MAX_HEARTBEAT_BYTES } from "./constants.js";

const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const hb = { v: 1, id: "ab12", session: "s1", seq: 1, ts: 1, hostname: "h", ip: "10.0.0.2", type: "mbtemp", uptime: 3 };

describe("decodePayload", () => {
  it("accepts a valid heartbeat and keeps unknown fields", () => {
    const r = decodePayload(heartbeatSchema, enc({ ...hb, vendorField: "x" }), MAX_HEARTBEAT_BYTES);
    expect(r.ok && r.value.vendorField).toBe("x");
  });
  it("rejects garbage with stable codes", () => {
    expect(decodePayload(heartbeatSchema, enc("{nope"), 1024)).toMatchObject({ ok: false, code: "PROTO_E_INVALID_JSON" });
    expect(decodePayload(heartbeatSchema, enc({ ...hb, seq: "1" }), 1024)).toMatchObject({ ok: false, code: "PROTO_E_INVALID_PAYLOAD" });
    expect(decodePayload(heartbeatSchema, enc({ ...hb, id: undefined }), 1024)).toMatchObject({ ok: false, code: "PROTO_E_INVALID_PAYLOAD" });
    expect(decodePayload(heartbeatSchema, new Uint8Array(2 * 1024 * 1024), 1024)).toMatchObject({ ok: false, code: "PROTO_E_TOO_LARGE" });
  });
  it("treats an empty command payload as {}", () => {
    expect(decodePayload(commandSchema, new Uint8Array(0), 1024, { emptyAs: {} })).toEqual({ ok: true, value: {} });
    expect(decodePayload(commandSchema, new Uint8Array(0), 1024)).toMatchObject({ ok: false });
  });
});
