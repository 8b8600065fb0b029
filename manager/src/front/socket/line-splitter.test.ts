import { describe, expect, it } from "vitest";
import { createLineSplitter } from "./line-splitter.js";

function collect(max = 16) {
  const lines: (string | null)[] = [];
  const overflows: number[] = [];
  const s = createLineSplitter(
    max,
    (l) => lines.push(l),
    (n) => overflows.push(n),
  );
  return { s, lines, overflows };
}

describe("line splitter", () => {
  it("joins lines split across chunks and drops blank lines and a trailing CR", () => {
    const { s, lines } = collect();
    s.push(Buffer.from('{"a":'));
    s.push(Buffer.from('1}\r\n\n{"b":2}\n'));
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("answers a last line the peer sent without its newline when the stream ends", () => {
    const { s, lines } = collect();
    s.push(Buffer.from('{"a":1}\n{"b"'));
    s.push(Buffer.from(":2}"));
    expect(lines).toEqual(['{"a":1}']);
    s.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}']);
    s.end();
    expect(lines).toHaveLength(2);
  });

  it("reports an over-long last line as an overflow at the end, not as a line", () => {
    const { s, lines, overflows } = collect(4);
    s.push(Buffer.from("ok\n0123456789"));
    s.end();
    expect(lines).toEqual(["ok"]);
    expect(overflows).toEqual([10]);
  });

  it("refuses a last line that is not UTF-8 as a whole", () => {
    const { s, lines } = collect();
    s.push(Buffer.from([0xff, 0xfe, 0x41]));
    s.end();
    expect(lines).toEqual([null]);
  });
});
