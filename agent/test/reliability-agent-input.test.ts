import { readFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_COMMAND_BYTES, actionArgsSchemas, actionNames, createTopics, resultSchema } from "@bbb/shared";
import { scaled, writeFigure } from "../../scripts/reliability.mjs";
import { AgentErrorCodes } from "../src/errors.js";
import { startBroker, startObserver } from "./helpers/broker.js";
import { startSimAgent } from "./helpers/sim-agent.js";

/**
 * RELIABILITY.md §"Bad input", the agent's side: garbage on `<root>/<id>/cmd/<action>` through a real
 * broker into a real agent (fake root, recording exec). Every message is answered `rejected` with
 * a stable code, nothing runs, nothing on the board changes, the agent keeps beating.
 */
const topics = createTopics("bbb");
const N = scaled(1000, 60);
const REJECT_CODES = new Set<string>([
  AgentErrorCodes.INVALID_JSON,
  AgentErrorCodes.INVALID_COMMAND,
  AgentErrorCodes.TOO_LARGE,
  AgentErrorCodes.INVALID_ARGS,
  AgentErrorCodes.UNKNOWN_ACTION,
  AgentErrorCodes.NOT_ALLOWED,
]);

describe("agent under garbage commands", () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let obs: Awaited<ReturnType<typeof startObserver>>;
  let sim: Awaited<ReturnType<typeof startSimAgent>>;
  const byCode: Record<string, number> = {};
  let sent = 0;

  beforeAll(async () => {
    broker = await startBroker();
    obs = await startObserver(broker.url, ["bbb/+/result/+", "bbb/+/heartbeat"]);
    sim = await startSimAgent(broker.url, { services: ["bbb-function"], heartbeatMs: 500 }, { index: 31 });
    await obs.waitFor((m) => m.topic === topics.heartbeat(sim.config.boardId));
  });
  afterAll(async () => {
    await sim?.cleanup();
    await obs?.close();
    await broker?.close();
    writeFigure("input-agent-commands", {
      kind: "input",
      title: "Agent: command topics and arguments through a real broker",
      test: "agent/test/reliability-agent-input.test.ts",
      claim: "Every garbage command is answered `rejected` with a stable AGENT_E_* code; nothing runs; the board's hostname, address, services and reboot count stay as they were; the agent keeps heart-beating and answers a ping afterwards.",
      figures: {
        "commands sent": sent,
        ...Object.fromEntries(Object.entries(byCode).map(([k, v]) => [`rejected ${k}`, v])),
      },
    });
  });

  const results = () =>
    obs.received
      .filter((m) => m.topic.startsWith(`bbb/${sim.config.boardId}/result/`))
      .map((m) => resultSchema.parse(JSON.parse(m.payload)));

  it(`rejects ${N} generated commands with a stable code and changes nothing`, { timeout: 120_000 }, async () => {
    const id = sim.config.boardId;
    const before = structuredClone(sim.rec.state);
    const from = results().length;
    const actionLevel = fc.oneof(
      fc.constantFrom(...actionNames),
      fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[/+#\0]/.test(s)),
    );
    const badArgs = (action: string) =>
      fc.jsonValue({ maxDepth: 4 }).filter((v) => {
        // Own keys only: a generated name such as "constructor" or "toString" is no action.
        const s = Object.hasOwn(actionArgsSchemas, action)
          ? (actionArgsSchemas as Record<string, { safeParse(v: unknown): { success: boolean } }>)[action]
          : undefined;
        return !s || !s.safeParse(v ?? {}).success;
      });
    const sample = fc.sample(
      fc.oneof(
        // Arguments that break the action's schema, with an id (the answer lands on it).
        actionLevel.chain((action) => badArgs(action).map((args) => ({ action, payload: { args }, raw: null as Buffer | null }))),
        // Raw garbage: bytes, text, JSON of the wrong shape.
        fc.record({
          action: actionLevel,
          payload: fc.constant(null),
          raw: fc.oneof(
            fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
            fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
            fc.constantFrom(
              Buffer.from("[".repeat(100_000) + "]".repeat(100_000)),
              Buffer.from('{"args":' + "[".repeat(60_000) + "]".repeat(60_000) + "}"),
              Buffer.alloc(MAX_COMMAND_BYTES + 1, 0x20),
              Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
              Buffer.from('{"id":"x","args":{},"issuedAt":-1}'),
              Buffer.from('{"ttlMs":1e308}'),
            ),
          ),
        }),
      ),
      N,
    );
    for (const [i, s] of sample.entries()) {
      const action = s.action;
      let body: Buffer;
      if (s.raw) body = s.raw;
      else body = Buffer.from(JSON.stringify({ ...(s.payload as object), id: `fz-${i}` }));
      // An empty payload means `{}` (valid for no-argument actions): never send one here.
      if (body.byteLength === 0) body = Buffer.from("!");
      // Valid commands of a no-argument action would run: they are not garbage.
      if (!s.raw && !(s.payload as { args?: unknown }).args && ["reboot", "ping"].includes(action)) continue;
      const raw = s.raw?.toString("utf8") ?? "";
      if (s.raw && /^\{\s*\}$|^\{"id":"[^"]*"\}$/.test(raw)) continue;
      sent++;
      await obs.client.publishAsync(topics.cmd(id, action), body, { qos: 1 });
    }
    const want = from + sent;
    const until = Date.now() + 60_000;
    while (results().length < want && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    const got = results().slice(from);
    expect(got.length).toBe(sent);
    for (const r of got) {
      expect(r.status, JSON.stringify(r)).toBe("rejected");
      expect(REJECT_CODES.has(r.error?.code ?? ""), JSON.stringify(r)).toBe(true);
      byCode[r.error!.code] = (byCode[r.error!.code] ?? 0) + 1;
    }
    // Nothing on the board changed (the recording exec keeps the board's live state).
    const after = sim.rec.state;
    expect({ ...after, services: {} }).toEqual({ ...before, services: {} });
    expect(after.reboots).toBe(before.reboots);
    // The dedup store stays bounded.
    await sim.agent.stop();
    const stored = JSON.parse(await readFile(join(sim.fake.stateDir, "results.json"), "utf8")) as { results: unknown[] };
    expect(stored.results.length).toBeLessThanOrEqual(500);
    await sim.agent.start();
  });

  it("still beats and answers a ping afterwards", async () => {
    const id = sim.config.boardId;
    const n = obs.received.length;
    await obs.waitFor((m) => m.topic === topics.heartbeat(id), 10_000, n);
    await obs.client.publishAsync(topics.cmd(id, "ping"), JSON.stringify({ id: "after-fuzz" }), { qos: 1 });
    // A bound on a hang (a lost command), not a speed: on a loaded machine the restarted agent may
    // still be sending the results it kept when the ping arrives.
    await obs.waitFor((m) => m.topic === topics.result(id, "after-fuzz") && JSON.parse(m.payload).status === "succeeded", 30_000, n);
  }, 60_000);
});
