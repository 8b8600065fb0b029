import { encode } from "@msgpack/msgpack";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { scaled, writeFigure } from "../../../scripts/reliability.mjs";
import { parseBbbreadHash, parseBbbreadKey } from "./bbbread-hash.js";
import { daemonChecksum } from "./daemon-checksum.js";
import { parseDaemonPing } from "./daemon-ping.js";
import { isIpv4 } from "./legacy-board.js";
import { pyRepr } from "./py-repr.js";

/**
 * The legacy bridges' parsers under generated input: bbbread hashes (any key, any fields) and
 * bbb-daemon datagrams (any bytes, any map) never throw, and what they accept is well-formed.
 */
const RUNS = scaled(3000, 200);
const tally = { hashes: 0, hashesMapped: 0, datagrams: 0, pingsAccepted: 0, flipsDropped: 0, flipsTried: 0 };

afterAll(() =>
  writeFigure("input-legacy", {
    kind: "legacy",
    title: "Legacy bridge parsers (bbbread hashes, bbb-daemon pings)",
    test: "manager/src/legacy/legacy-parsers.fuzz.test.ts",
    claim: "Never throw; accepted boards have a valid IPv4 and hostname; a corrupted ping is dropped.",
    figures: {
      "hashes tried": tally.hashes,
      "hashes mapped to a board": tally.hashesMapped,
      "datagrams tried": tally.datagrams,
      "pings accepted": tally.pingsAccepted,
      "one-byte corruptions dropped": `${tally.flipsDropped} of ${tally.flipsTried}`,
    },
  }),
);

const field = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("manual", "dhcp", "0.0.0.0", "9.44%", "IA-01", "4", "10.0.0.1, 10.0.0.2"),
);
const key = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.tuple(fc.ipV4(), fc.stringMatching(/^[A-Za-z0-9:-]{1,30}$/)).map(([ip, h]) => `BBB:${ip}:${h}`),
);

describe("legacy parsers under generated garbage", () => {
  it("bbbread hashes: never throw; a mapped board has a valid IP, hostname and disk figure", () => {
    fc.assert(
      fc.property(
        key,
        fc.dictionary(
          fc.constantFrom("ip_type", "nameservers", "sector", "type", "details", "disk_usage", "state_string", "x"),
          field,
        ),
        (k, f) => {
          tally.hashes++;
          parseBbbreadKey(k);
          const b = parseBbbreadHash(k, f);
          if (!b) return;
          tally.hashesMapped++;
          expect(isIpv4(b.ip)).toBe(true);
          expect(b.hostname.length).toBeGreaterThan(0);
          expect(b.hostname.includes(":")).toBe(false);
          if (b.diskUsedPct !== undefined) expect(b.diskUsedPct).toBeLessThanOrEqual(100);
          for (const ns of b.nameservers ?? []) expect(isIpv4(ns)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("bbb-daemon datagrams: any bytes and any msgpack value are survived", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 1500 }),
          fc.anything().map((v) => encode(v)),
        ),
        (bytes) => {
          tally.datagrams++;
          const r = parseDaemonPing(bytes);
          if (r.ok) tally.pingsAccepted++;
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("a well-formed ping with the quirky checksum is accepted; a one-byte corruption is dropped", () => {
    const text = fc.string({ maxLength: 30 });
    fc.assert(
      fc.property(text, text, fc.nat(1_000_000), fc.nat(), (name, details, counter, pos) => {
        const payload = {
          comm: 0,
          n: {
            name,
            ip_address: "10.0.0.1",
            state: 1,
            state_string: "Connected",
            type: 3,
            sector: "1",
            counter,
            details,
            config_time: "",
          },
        };
        const chk = daemonChecksum(Buffer.from(pyRepr(payload), "utf8"));
        const dg = encode({ chk, payload });
        expect(parseDaemonPing(dg)).toMatchObject({ ok: true });
        tally.pingsAccepted++;
        const bad = Buffer.from(dg);
        const i = pos % bad.length;
        bad[i] = (bad[i] ?? 0) ^ 0x01;
        tally.flipsTried++;
        if (!parseDaemonPing(bad).ok) tally.flipsDropped++;
      }),
      { numRuns: RUNS },
    );
  });
});
