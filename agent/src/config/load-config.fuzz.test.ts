import { CodedError } from "@bbb/shared";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { scaled, writeFigure } from "../../../scripts/reliability.mjs";
import { AgentErrorCodes } from "../errors.js";
import { AGENT_ENV_VARS, loadConfig } from "./load-config.js";

/**
 * RELIABILITY.md §"Bad input": the agent's config file and environment. Whatever they hold, loadConfig
 * returns a valid config or throws CodedError AGENT_E_CONFIG with a readable message — never
 * another exception (the process then exits 2 with that message, agent-process.test.ts).
 */
const RUNS = scaled(2000, 100);
const tally = { tried: 0, accepted: 0, refused: 0 };

async function attempt(text: string | null, env: Record<string, string>) {
  tally.tried++;
  try {
    const c = await loadConfig({ env: { BBB_AGENT_CONFIG: "/etc/bbb-agent/config.json", ...env }, readFile: async () => text });
    tally.accepted++;
    return c;
  } catch (e: unknown) {
    expect(e).toBeInstanceOf(CodedError);
    expect((e as CodedError).code).toBe(AgentErrorCodes.CONFIG);
    expect((e as CodedError).message.length).toBeGreaterThan(0);
    tally.refused++;
    return null;
  }
}

const validFile = { boardId: "a0f6fd8b1c22", mqttUrls: ["mqtt://10.0.0.1:1883"], token: "t", heartbeatMs: 1000 };

afterAll(() =>
  writeFigure("input-agent-config", {
    kind: "input",
    title: "Agent: config file and environment",
    test: "agent/src/config/load-config.fuzz.test.ts",
    claim: "A valid config or AGENT_E_CONFIG with a message; nothing else is thrown.",
    figures: { "configs tried": tally.tried, accepted: tally.accepted, "refused AGENT_E_CONFIG": tally.refused },
  }),
);

describe("agent config under generated garbage", () => {
  it("file: random text, any JSON, mutated valid configs", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300, unit: "binary" }),
          fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"),
          fc
            .record({ k: fc.constantFrom(...Object.keys(validFile), "keepaliveS", "rootPrefix", "topicRoot", "services", "netBackend", "projectDir", "sftpPort", "x"), v: fc.jsonValue({ maxDepth: 3 }) })
            .map(({ k, v }) => JSON.stringify({ ...validFile, [k]: v })),
        ),
        async (text) => {
          await attempt(text, {});
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("environment: every variable with generated text", async () => {
    const vars = AGENT_ENV_VARS.filter((v) => v !== "BBB_AGENT_CONFIG");
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...vars), fc.string({ maxLength: 80, unit: "grapheme" })), async (env) => {
        await attempt(JSON.stringify(validFile), env);
      }),
      { numRuns: RUNS },
    );
  });

  it("fixed cases: deep nesting, huge numbers, BOM, NUL, prototype keys", async () => {
    const cases = [
      "[".repeat(100_000) + "]".repeat(100_000),
      JSON.stringify({ ...validFile, heartbeatMs: 1e308 }),
      JSON.stringify({ ...validFile, heartbeatMs: -0 }),
      JSON.stringify({ ...validFile, mqttUrls: Array(10_000).fill("mqtt://x:1") }),
      "\uFEFF" + JSON.stringify(validFile),
      JSON.stringify({ ...validFile, rootPrefix: "/\0" }),
      '{"__proto__":{"boardId":"x"},"constructor":{"prototype":{"polluted":true}}}',
      JSON.stringify({ ...validFile, projectDir: "../../etc" }),
      JSON.stringify({ ...validFile, mqttUrls: ["mqtt://a b"] }),
    ];
    for (const c of cases) await attempt(c, {});
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A valid file still loads.
    expect(await attempt(JSON.stringify(validFile), {})).not.toBeNull();
  });
});
