import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { scaled, writeFigure } from "../../../scripts/reliability.mjs";
import { csvLine, parseCsv } from "./parse-csv.js";

/**
 * RELIABILITY.md §"Bad input": CSV imports. The RFC 4180 reader never throws, round-trips what a writer
 * quotes correctly, and stays linear on hostile input (a huge quoted field, many empty lines).
 */
const RUNS = scaled(3000, 200);
const tally = { tried: 0, rows: 0 };

const MAX_ROWS = 1_000_001;
const rowsOf = (text: string) => {
  const r = parseCsv(text, MAX_ROWS);
  return r.ok ? r.rows : [];
};

afterAll(() =>
  writeFigure("input-csv", {
    kind: "input",
    title: "CSV import reader",
    test: "manager/src/csv/parse-csv.fuzz.test.ts",
    claim: "Never throws; any quoted table round-trips; hostile input stays linear.",
    figures: { "inputs tried": tally.tried, "rows read": tally.rows },
  }),
);

describe("The import CSV reader under generated garbage", () => {
  it("never throws on any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: "binary" }), (text) => {
        tally.tried++;
        tally.rows += rowsOf(text).length;
      }),
      { numRuns: RUNS },
    );
  });

  it("round-trips quoted tables", () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ maxLength: 12 }), { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 }), fc.constantFrom("\n", "\r\n"), (rows, eol) => {
        tally.tried++;
        const text = rows.map((r) => csvLine(r)).join(eol) + eol;
        const got = rowsOf(text).map((r) => r.fields);
        tally.rows += got.length;
        expect(got).toEqual(rows);
      }),
      { numRuns: RUNS },
    );
  });

  it("stays linear on a 5 MB quoted field and 1,000,000 empty lines", () => {
    tally.tried += 2;
    const t0 = Date.now();
    expect(rowsOf(`a,"${"x".repeat(5_000_000)}"`)).toHaveLength(1);
    expect(parseCsv(`a,"${"x".repeat(5_000_000)}`, MAX_ROWS)).toMatchObject({ ok: false, message: "unterminated quoted field" });
    expect(rowsOf("\n".repeat(1_000_000))).toHaveLength(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});
