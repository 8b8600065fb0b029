import { describe, expect, it } from "vitest";
import { manifestProblem, type Manifest } from "./manifest.js";

const sha = "0".repeat(64);
const base = (over: Partial<Manifest>): Manifest => ({
  v: 1,
  type: "t",
  revision: "r",
  source: "local",
  generatedAt: 0,
  rcLocalPath: null,
  rcLocalHash: null,
  overlay: null,
  totalBytes: 0,
  files: [],
  dirs: [],
  links: [],
  ...over,
});

describe("manifestProblem", () => {
  it("accepts a consistent tree", () => {
    const m = base({
      dirs: [{ path: "a", mode: 0o755 }],
      files: [{ path: "a/x", size: 1, mode: 0o644, sha256: sha }],
      links: [{ path: "a/l", target: "x" }],
    });
    expect(manifestProblem(m)).toBeNull();
  });

  it("refuses writing through a link, unlisted parents, escaping links and duplicates", () => {
    const file = { size: 1, mode: 0o644, sha256: sha };
    expect(manifestProblem(base({ links: [{ path: "a", target: "." }], files: [{ path: "a/x", ...file }] }))).toMatch(
      /parent/,
    );
    expect(manifestProblem(base({ files: [{ path: "b/x", ...file }] }))).toMatch(/parent/);
    expect(manifestProblem(base({ links: [{ path: "l", target: "../etc" }] }))).toMatch(/outside/);
    expect(manifestProblem(base({ links: [{ path: "l", target: "/etc" }] }))).toMatch(/outside/);
    expect(manifestProblem(base({ files: [{ path: "x", ...file }], dirs: [{ path: "x", mode: 0o755 }] }))).toMatch(
      /duplicate/,
    );
    expect(manifestProblem(base({ files: [{ path: ".bbb-manifest.json", ...file }] }))).toMatch(/reserved/);
  });
});
