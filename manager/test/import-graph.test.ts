import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const src = resolve(import.meta.dirname, "..", "src");

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

/** Relative imports and re-exports of each source file, type-only and dynamic (`import("./x.js")`) ones included. */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files(src)) {
    const text = readFileSync(f, "utf8");
    const specs = [
      ...[...text.matchAll(/^(?:import|export)\b[^;]*?from\s+"(\.{1,2}\/[^"]+)";/gms)].map((m) => m[1]!),
      ...[...text.matchAll(/\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g)].map((m) => m[1]!),
    ];
    g.set(
      f,
      specs.map((s) => resolve(dirname(f), s.replace(/\.js$/, ".ts"))),
    );
  }
  return g;
}

function cycles(g: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, "open");
    stack.push(n);
    for (const d of g.get(n) ?? []) {
      if (state.get(d) === "open") found.push([...stack.slice(stack.indexOf(d)), d].map((p) => relative(src, p)));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, "done");
  };
  for (const n of g.keys()) if (!state.has(n)) visit(n);
  return found;
}

describe("manager/src import graph", () => {
  it("has no circle", () => {
    expect(cycles(graph())).toEqual([]);
  });

  it("lets only the programs that start a server import create-server.ts", () => {
    const importers = [...graph()]
      .filter(([, deps]) => deps.includes(join(src, "create-server.ts")))
      .map(([f]) => relative(src, f))
      .sort();
    expect(importers).toEqual(["demo/main.ts", "index.ts", "main.ts"]);
  });

  it("loads the agent only in the demo (the server's runtime does not pull it in)", () => {
    const importers = files(src)
      .filter((f) => /from "@bbb\/agent(\/[a-z]+)?"/.test(readFileSync(f, "utf8")))
      .map((f) => relative(src, f));
    expect(importers).toEqual(["demo/main.ts"]);
  });
});
