import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scaled, writeFigure } from "../../../scripts/reliability.mjs";
import { ManagerErrorCodes } from "../errors.js";
import { loadConfig } from "./load-config.js";
import { ENV_KEYS } from "./schema.js";
import { CodedError } from "@bbb/shared";

/**
 * RELIABILITY.md §"Bad input": the manager's config file (JSON or YAML) and environment. A valid config
 * or CodedError MGR_E_CONFIG; YAML alias bombs are refused without expanding them.
 */
const RUNS = scaled(800, 60);
const tally = { tried: 0, accepted: 0, refused: 0 };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-mgr-cfg-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  writeFigure("input-manager-config", {
    kind: "input",
    title: "Manager: config file (JSON, YAML) and environment",
    test: "manager/src/config/load-config.fuzz.test.ts",
    claim: "A valid config or MGR_E_CONFIG with a message, including for a YAML alias bomb and 100,000 nested arrays.",
    figures: { "configs tried": tally.tried, accepted: tally.accepted, "refused MGR_E_CONFIG": tally.refused },
  });
});

async function attempt(name: string, text: string | Buffer, env: Record<string, string> = {}) {
  tally.tried++;
  const file = join(dir, name);
  await writeFile(file, text);
  try {
    loadConfig({ env: { BBB_CONFIG: file, ...env }, cwd: dir });
    tally.accepted++;
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(CodedError);
    expect((e as CodedError).code).toBe(ManagerErrorCodes.CONFIG);
    tally.refused++;
  }
}

describe("manager config under generated garbage", () => {
  it("JSON and YAML files: random text, any JSON value, mutated valid configs", async () => {
    const keys = Object.values(ENV_KEYS);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("c.json", "c.yaml"),
        fc.oneof(
          fc.string({ maxLength: 300, unit: "binary" }),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"),
          fc.record({ k: fc.constantFrom(...keys, "tls", "zzz"), v: fc.jsonValue({ maxDepth: 3 }) }).map(({ k, v }) => JSON.stringify({ mqttPort: 0, [k]: v })),
        ),
        async (name, text) => attempt(name, text),
      ),
      { numRuns: RUNS },
    );
  });

  it("environment: every variable with generated text", async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...Object.keys(ENV_KEYS)), fc.string({ maxLength: 60, unit: "grapheme" })), async (env) =>
        attempt("e.json", "{}", env),
      ),
      { numRuns: RUNS },
    );
  });

  it("fixed cases: alias bomb, deep nesting, binary, BOM", async () => {
    const bomb = ["a: &a [x,x,x,x,x,x,x,x,x]"];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
    const before = process.memoryUsage().rss;
    await attempt("bomb.yaml", bomb.join("\n"));
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    await attempt("deep.json", "[".repeat(100_000) + "]".repeat(100_000));
    await attempt("deep.yaml", "[".repeat(20_000) + "]".repeat(20_000));
    await attempt("bin.json", Buffer.from([0xff, 0xfe, 0x00, 0x7b]));
    await attempt("bom.json", "\uFEFF{}");
    await attempt("proto.json", '{"__proto__":{"mqttPort":1},"constructor":{"prototype":{"polluted":1}}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
