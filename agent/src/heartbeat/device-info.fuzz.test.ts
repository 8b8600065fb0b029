import { mkdtemp, mkdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scaled, writeFigure } from "../../../scripts/reliability.mjs";
import { createRootedFs } from "../system/rooted-fs.js";
import { createDeviceInfo, DEVICE_JSON_PATH } from "./device-info.js";

/**
 * RELIABILITY.md §"Bad input": /opt/device.json is written by another program on the board. Any content
 * (half-written, binary, huge, deeply nested) gives a valid type or nothing, never an exception;
 * system paths built from outside text never leave the root prefix.
 */
const RUNS = scaled(600, 50);
const tally = { files: 0, parsed: 0, ignored: 0, paths: 0, escapesRefused: 0 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-devjson-"));
  await mkdir(join(dir, "opt"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  writeFigure("input-device-json", {
    kind: "input",
    title: "Agent: /opt/device.json and rooted system paths",
    test: "agent/src/heartbeat/device-info.fuzz.test.ts",
    claim: "A garbage device.json yields no type (the configured one stays), never an exception; a system path with '..' is refused.",
    figures: { "device.json contents tried": tally.files, "valid ones used": tally.parsed, "ignored": tally.ignored, "paths tried": tally.paths, "escapes refused": tally.escapesRefused },
  });
});

describe("/opt/device.json under generated garbage", () => {
  it("gives a type name or null for any content", async () => {
    const fs = createRootedFs(dir);
    // No watch: every call looks at the file (its mtime), so every generated content is parsed.
    const info = createDeviceInfo(fs, DEVICE_JSON_PATH, () => {
      throw new Error("not watched");
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
          fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "")),
          fc.record({ device: fc.oneof(fc.integer(), fc.double(), fc.string()), details: fc.oneof(fc.string({ maxLength: 5000 }), fc.integer()) }).map((v) => Buffer.from(JSON.stringify(v))),
          fc.constantFrom(
            Buffer.from("[".repeat(100_000)),
            Buffer.from('{"device":4,"details":"' + "x".repeat(20_000) + '"}'),
            Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"device":4}', "utf16le")]),
            Buffer.from('{"device":4,"baudrate":115200,"details":"MBTemps connected [1, 2]","time":"x"}'),
          ),
        ),
        async (bytes) => {
          tally.files++;
          const p = join(dir, "opt/device.json");
          await writeFile(p, bytes);
          // A new mtime for every content (the reader re-reads only on a change).
          const t = new Date(Date.UTC(2026, 0, 1) + ++n * 1000);
          await utimes(p, t, t);
          const got = info.get();
          if (got === null) tally.ignored++;
          else {
            tally.parsed++;
            expect(typeof got.type).toBe("string");
            expect((got.details ?? "").length).toBeLessThanOrEqual(4096);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("refuses system paths that climb out of the root prefix", () => {
    const fs = createRootedFs(dir);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom("..", ".", "", "etc", "%2e%2e", "..\\.."), fc.string({ maxLength: 8 })), { maxLength: 8 }), (segs) => {
        tally.paths++;
        const p = "/" + segs.join("/");
        let host: string | null = null;
        try {
          host = fs.resolve(p);
        } catch {
          tally.escapesRefused++;
          return;
        }
        expect(host === dir || host.startsWith(dir + "/")).toBe(true);
      }),
      { numRuns: RUNS * 4 },
    );
  });
});
