import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const script = join(root, "scripts", "gen-errors-doc.mjs");

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|vue)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

describe("docs/errors.md", () => {
  it("matches the workspaces' error catalogues (run `npm run docs:errors` after changing one)", () => {
    const r = (() => {
      try {
        return { status: 0, out: execFileSync(process.execPath, [script, "--check"], { encoding: "utf8" }) };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { status: err.status, out: err.stderr };
      }
    })();
    expect(r.out).toContain("docs/errors.md is");
    expect(r.status, r.out).toBe(0);
  });

  it("lists every code a source file names", () => {
    const doc = readFileSync(join(root, "docs", "errors.md"), "utf8");
    const named = new Set<string>();
    for (const ws of ["shared", "broker", "agent", "manager", "dashboard"]) {
      for (const f of sources(join(root, ws, "src"))) {
        for (const m of readFileSync(f, "utf8").matchAll(/"([A-Z]{2,10}_E_[A-Z0-9_]{2,64})"/g)) named.add(m[1]!);
      }
    }
    expect(named.size).toBeGreaterThan(50);
    const missing = [...named].filter((c) => !doc.includes(`\`${c}\``));
    expect(missing).toEqual([]);
  });
});
