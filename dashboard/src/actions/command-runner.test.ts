import { createTopics, hostsCommandResultSchema } from "@bbb/shared";
import { describe, expect, it } from "vitest";
import { createManagerApi } from "../api/manager-api.js";
import { createRequester } from "../mqtt/requester.js";
import { createFleetStore } from "../store/fleet-store.js";
import { createCommandRunner } from "./command-runner.js";

const topics = createTopics("bbb");

/**
 * A runner whose manager answers `hosts.command` with the reply given, as an MQTT response
 * payload: the requester and API are the real ones, only the wire is in the test's hands.
 */
function setup(reply: (transaction: string) => unknown) {
  const published: { topic: string; payload: string }[] = [];
  const req = createRequester({
    topics,
    clientId: "dash-t",
    publish: (topic, payload) => {
      published.push({ topic, payload });
      if (topic === topics.managerRequest("hosts.command")) {
        const { transaction } = JSON.parse(payload) as { transaction: string };
        queueMicrotask(() => req.handleResponse(JSON.stringify(reply(transaction))));
      }
      return Promise.resolve();
    },
  });
  const store = createFleetStore({ root: "bbb", schedule: () => undefined });
  const runner = createCommandRunner({
    api: createManagerApi(req), topics, store, subscribe: () => undefined, username: "op",
    publish: (topic, payload) => {
      published.push({ topic, payload });
      return Promise.resolve();
    },
  });
  return { runner, published };
}

describe("createCommandRunner", () => {
  it("falls back to the boards' cmd topics when the manager answers MGR_E_UNKNOWN_METHOD (a manager without hosts.command)", async () => {
    // The reply the manager sends for a method it does not have (manager/test/requests.test.ts).
    const { runner, published } = setup((transaction) => ({
      transaction, status: "error", error: { code: "MGR_E_UNKNOWN_METHOD", message: "method not found: hosts.command" },
    }));
    const key = await runner.start("identify", { seconds: 5 }, ["aabbccddee01", "aabbccddee02"]);
    const run = runner.get(key);
    expect(run).toMatchObject({ state: "running", direct: true, error: null });
    const cmds = published.filter((p) => p.topic.includes("/cmd/"));
    expect(cmds.map((c) => c.topic)).toEqual([topics.cmd("aabbccddee01", "identify"), topics.cmd("aabbccddee02", "identify")]);
    expect(JSON.parse(cmds[0]?.payload ?? "{}")).toMatchObject({ args: { seconds: 5 }, id: run?.requestIds.get("aabbccddee01") });
    runner.stop();
  });

  it("any other refusal fails the run and sends nothing to the boards", async () => {
    const { runner, published } = setup((transaction) => ({
      transaction, status: "error", error: { code: "MGR_E_FORBIDDEN", message: "operator role required" },
    }));
    const key = await runner.start("reboot", {}, ["aabbccddee01"]);
    expect(runner.get(key)).toMatchObject({ state: "failed", direct: false });
    expect(runner.get(key)?.error).toContain("MGR_E_FORBIDDEN");
    expect(published.filter((p) => p.topic.includes("/cmd/"))).toHaveLength(0);
    runner.stop();
  });

  it("follows the manager's run when hosts.command exists", async () => {
    const run = hostsCommandResultSchema.parse({
      id: "run-1", action: "reboot", args: {}, by: "op", via: "mqtt", createdAt: 1, finishedAt: 2, status: "completed", abortReason: null,
      total: 1, counts: { accepted: 1 }, options: {}, outcomes: [{ boardId: "aabbccddee01", status: "accepted", requestId: "q1" }],
    });
    const { runner, published } = setup((transaction) => ({ transaction, status: "ok", data: run }));
    const key = await runner.start("reboot", {}, ["aabbccddee01"]);
    expect(runner.get(key)).toMatchObject({ state: "completed", runId: "run-1", direct: false });
    expect(published.filter((p) => p.topic.includes("/cmd/"))).toHaveLength(0);
    runner.stop();
  });
});
