import { encode } from "@msgpack/msgpack";
import { describe, expect, it } from "vitest";
import { oldDaemonChecksum, pingDatagram, pythonText } from "../../test/legacy-peers.js";
import { daemonChecksum } from "./daemon-checksum.js";
import { parseDaemonPing, MAX_PING_BYTES } from "./daemon-ping.js";
import { pyRepr } from "./py-repr.js";

// A 179-character payload text (docs/legacy-protocols.md "bbb-daemon checksum"): the board sends
// 0x382a where a standard RFC 1071 sum gives 0x532a.
const node = {
  name: "BBB-SB01",
  ip_address: "10.128.1.5",
  state: 1,
  state_string: "OK",
  type: 2,
  sector: "1",
  counter: 7,
  details: "19GJv",
  config_time: "",
};

describe("bbb-daemon checksum", () => {
  it("matches the documented example: 0x382a sent where the standard sum is 0x532a", () => {
    const text = pyRepr({ comm: 0, n: node });
    expect(text).toHaveLength(179);
    expect(text.endsWith("}")).toBe(true);
    const bytes = Buffer.from(text, "utf8");
    expect(daemonChecksum(bytes, false)).toBe(0x532a);
    expect(daemonChecksum(bytes)).toBe(0x382a);
    expect(oldDaemonChecksum(text)).toBe(0x382a);
  });

  it("an even-length text has no quirk", () => {
    const t = Buffer.from("{'a': 1}x", "utf8").subarray(0, 8);
    expect(daemonChecksum(t)).toBe(daemonChecksum(t, false));
  });

  it("Python's text of the payload: quotes, escapes, keys in wire order", () => {
    expect(pyRepr({ b: "it's", a: 'say "x"', c: "a\tb\\", d: null, e: true, f: 1.5, g: [1, "x"] })).toBe(
      `{'b': "it's", 'a': 'say "x"', 'c': 'a\\tb\\\\', 'd': None, 'e': True, 'f': 1.5, 'g': [1, 'x']}`,
    );
    expect(pyRepr("both ' and \"")).toBe(`'both \\' and "'`);
    expect(pyRepr(1e-7)).toBe("1e-07");
    expect(pyRepr(1.25e-20)).toBe("1.25e-20");
    expect(pyRepr(0.0001)).toBe("0.0001");
    expect(pyRepr("é\u0085")).toBe("'é\\x85'");
    expect(pyRepr(new Uint8Array([0x41, 0x00, 0x27]))).toBe(`b"A\\x00'"`);
    expect(pythonText({ comm: 0, n: node })).toBe(pyRepr({ comm: 0, n: node }));
  });
});

describe("parseDaemonPing", () => {
  it("accepts a ping of the peer, with its fields", () => {
    const r = parseDaemonPing(pingDatagram(node));
    expect(r).toEqual({ ok: true, comm: 0, node });
  });

  it("drops a wrong checksum, garbage, trailing bytes and oversized datagrams, each with its reason", () => {
    expect(parseDaemonPing(pingDatagram(node, true))).toMatchObject({ ok: false, reason: "checksum" });
    expect(parseDaemonPing(Buffer.from("not msgpack at all \xc1"))).toMatchObject({ ok: false });
    expect(parseDaemonPing(Buffer.concat([pingDatagram(node), Buffer.from([0])]))).toMatchObject({
      ok: false,
      reason: "decode",
    });
    expect(parseDaemonPing(Buffer.alloc(MAX_PING_BYTES + 1))).toMatchObject({ ok: false, reason: "oversized" });
    expect(parseDaemonPing(encode({ chk: 1, payload: { comm: 0 } }))).toMatchObject({ ok: false, reason: "shape" });
    expect(parseDaemonPing(encode({ 1: 2 }))).toMatchObject({ ok: false });
  });

  it("verifies pings whose details hold a tab (written backslash-t in the text)", () => {
    const n = { ...node, details: "MBTemps connected [1, 2]\tbaudrate=115200" };
    expect(parseDaemonPing(pingDatagram(n))).toMatchObject({ ok: true });
  });
});
