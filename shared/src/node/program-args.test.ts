import { describe, expect, it } from "vitest";
import { programArgs } from "./program-args.js";

const info = { name: "bbb-x", version: "1.2.3", help: "Usage: bbb-x\n" };
function run(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const r = programArgs(argv, info, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { r, stdout, stderr };
}

describe("programArgs", () => {
  it("runs with no argument", () => {
    expect(run([]).r).toEqual({ kind: "run" });
  });
  it("prints help and version and exits 0", () => {
    for (const a of ["-h", "--help"]) expect(run([a])).toEqual({ r: { kind: "exit", code: 0 }, stdout: "Usage: bbb-x\n", stderr: "" });
    for (const a of ["-V", "--version"]) {
      const v = run([a]);
      expect(v.r).toEqual({ kind: "exit", code: 0 });
      expect(v.stdout).toMatch(/^bbb-x 1\.2\.3 \(Node\.js v\d+/);
    }
  });
  it("refuses anything else with exit 2 and names it", () => {
    for (const argv of [["--port", "1"], ["start"], ["--help", "x"]]) {
      const v = run(argv);
      expect(v.r).toEqual({ kind: "exit", code: 2 });
      expect(v.stdout).toBe("");
      expect(v.stderr).toContain(`unknown argument ${argv.join(" ")}`);
    }
  });
});
