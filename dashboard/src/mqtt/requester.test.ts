import { createTopics } from "@bbb/shared";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CodedError } from "@bbb/shared";
import { createRequester } from "./requester.js";

function setup() {
  const sent: { topic: string; body: { transaction: string; params?: unknown } }[] = [];
  const timers: (() => void)[] = [];
  const r = createRequester({
    topics: createTopics("bbb"),
    clientId: "dash-x",
    publish: (topic, payload) => {
      sent.push({ topic, body: JSON.parse(payload) as { transaction: string } });
      return Promise.resolve();
    },
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => undefined,
  });
  return { r, sent, timers };
}

describe("createRequester", () => {
  it("publishes {transaction, params} to manager/request/<method> and resolves the matching reply", async () => {
    const { r, sent } = setup();
    const p = r.call("types.list", {}, z.object({ items: z.array(z.string()) }));
    await Promise.resolve();
    expect(sent[0]?.topic).toBe("bbb/manager/request/types.list");
    const tx = sent[0]?.body.transaction ?? "";
    r.handleResponse(JSON.stringify({ transaction: "other", status: "ok", data: {} }));
    r.handleResponse(JSON.stringify({ transaction: tx, status: "ok", data: { items: ["mbtemp"] } }));
    await expect(p).resolves.toEqual({ items: ["mbtemp"] });
    expect(r.pendingCount()).toBe(0);
  });

  it("carries replyTo and the current token when it has them", async () => {
    const sent: string[] = [];
    let token: string | null = null;
    const r = createRequester({
      topics: createTopics("bbb"),
      clientId: "dash-x",
      replyTo: "dash-x",
      token: () => token,
      publish: (_topic, payload) => (sent.push(payload), Promise.resolve()),
      setTimer: () => 0,
      clearTimer: () => undefined,
    });
    void r.call("types.list", undefined, z.unknown()).catch(() => undefined);
    token = "id.mac";
    void r.call("types.list", { a: 1 }, z.unknown()).catch(() => undefined);
    await Promise.resolve();
    expect(sent.map((p) => JSON.parse(p) as unknown)).toEqual([
      { transaction: expect.any(String) as unknown, replyTo: "dash-x" },
      { transaction: expect.any(String) as unknown, params: { a: 1 }, replyTo: "dash-x", token: "id.mac" },
    ]);
    r.cancelAll();
  });

  it("rejects with the manager's error code, a bad answer, or a timeout", async () => {
    const { r, sent, timers } = setup();
    const a = r.call("nodes.upsert", {}, z.unknown());
    const b = r.call("types.list", {}, z.object({ items: z.array(z.string()) }));
    const c = r.call("hosts.list", {}, z.unknown());
    await Promise.resolve();
    r.handleResponse(JSON.stringify({ transaction: sent[0]?.body.transaction, status: "error", error: { code: "MGR_E_FORBIDDEN", message: "nope" } }));
    r.handleResponse(JSON.stringify({ transaction: sent[1]?.body.transaction, status: "ok", data: { items: 3 } }));
    timers[2]?.();
    await expect(a).rejects.toMatchObject({ code: "MGR_E_FORBIDDEN", message: "nope" });
    await expect(b).rejects.toMatchObject({ code: "DASH_E_BAD_RESPONSE" });
    await expect(c).rejects.toBeInstanceOf(CodedError);
    await expect(c).rejects.toMatchObject({ code: "DASH_E_TIMEOUT" });
  });

  it("ignores garbage replies and cancels what is in flight", async () => {
    const { r } = setup();
    const p = r.call("x", undefined, z.unknown());
    r.handleResponse("not json");
    r.cancelAll();
    await expect(p).rejects.toMatchObject({ code: "DASH_E_CANCELLED" });
  });
});
