import { describe, expect, it } from "vitest";
import { csvLine, parseCsv } from "./parse-csv.js";

describe("parseCsv", () => {
  it("reads quoted fields, CRLF, a BOM and blank lines, with the line each record starts on", () => {
    const r = parseCsv('\uFEFFa,b\r\n\r\n"x, y","say ""hi""\nthere"\n3,\n', 10);
    expect(r).toEqual({
      ok: true,
      rows: [
        { line: 1, fields: ["a", "b"] },
        { line: 3, fields: ["x, y", 'say "hi"\nthere'] },
        { line: 5, fields: ["3", ""] },
      ],
    });
  });

  it("refuses an unterminated quote and too many rows", () => {
    expect(parseCsv('a\n"open,\n', 10)).toEqual({ ok: false, line: 2, message: "unterminated quoted field" });
    expect(parseCsv("h\n1\n2\n3\n", 3)).toMatchObject({ ok: false, message: "more than 2 rows" });
  });

  it("writes fields that read back the same", () => {
    const fields = ["plain", "a,b", 'q"uote', "line\nbreak", " edge ", ""];
    const r = parseCsv(csvLine(fields) + "\n", 10);
    expect(r).toEqual({ ok: true, rows: [{ line: 1, fields }] });
  });
});
