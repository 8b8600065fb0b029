import { describe, expect, it } from "vitest";
import { prettyDestination, prettyLine, resolveLogFormat } from "./log-format.js";

describe("log format", () => {
  it("is pretty on a terminal and JSON elsewhere unless BBB_LOG_FORMAT says otherwise", () => {
    expect(resolveLogFormat(undefined, true)).toBe("pretty");
    expect(resolveLogFormat("", false)).toBe("json");
    expect(resolveLogFormat("auto", false)).toBe("json");
    expect(resolveLogFormat("JSON", true)).toBe("json");
    expect(resolveLogFormat("pretty", false)).toBe("pretty");
    expect(() => resolveLogFormat("yaml", true)).toThrow("BBB_LOG_FORMAT must be auto, json or pretty, got yaml");
  });

  it("writes a pino line as time, level, module, message and fields; errors with their stack", () => {
    const t = new Date(2026, 0, 31, 8, 5, 3, 42).getTime();
    const line = JSON.stringify({
      level: 40,
      time: t,
      pid: 1,
      hostname: "h",
      app: "bbb-manager",
      module: "ingest",
      msg: "dropped",
      code: "PROTO_E_TOO_LARGE",
      boardId: "a1",
      n: 3,
      note: "two words",
    });
    expect(prettyLine(line, false)).toBe(
      '08:05:03.042 WARN  [ingest] dropped code=PROTO_E_TOO_LARGE boardId=a1 n=3 note="two words"\n',
    );
    const err = JSON.stringify({
      level: 50,
      time: t,
      msg: "method failed",
      err: { type: "Error", message: "boom", stack: "Error: boom\n    at f (x.js:1:1)" },
    });
    expect(prettyLine(err, false)).toBe(
      "08:05:03.042 ERROR method failed err=boom\n    Error: boom\n    at f (x.js:1:1)\n",
    );
    expect(prettyLine(line, true)).toContain("\x1b[33mWARN \x1b[0m");
  });

  it("passes lines that are not pino JSON through unchanged", () => {
    expect(prettyLine("plain text", false)).toBe("plain text\n");
    expect(prettyLine("[1,2]", false)).toBe("[1,2]\n");
  });

  it("splits a chunk of several lines", () => {
    let out = "";
    const d = prettyDestination({ write: (s: string) => (out += s) }, false);
    d.write(
      `${JSON.stringify({ level: 30, time: 0, msg: "a" })}\n${JSON.stringify({ level: 30, time: 0, msg: "b" })}\n`,
    );
    expect(
      out
        .split("\n")
        .filter(Boolean)
        .map((l) => l.slice(13)),
    ).toEqual(["INFO  a", "INFO  b"]);
  });
});
