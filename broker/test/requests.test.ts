import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTopics, managerRequestSchema } from "@bbb/shared";
import { asUser, closeAll, closed, collect, connect, managerPassword, sleep, startBroker, until, type TestBroker } from "./helpers.js";

const t = createTopics("bbb");
let tb: TestBroker;
beforeAll(async () => {
  tb = await startBroker();
});
afterEach(closeAll);
afterAll(async () => tb.stop());

const asManager = () => connect(tb.port, { clientId: "bbb-manager", username: "manager", password: managerPassword() });

describe("manager requests and responses", () => {
  it("stamps the publisher's identity over a forged auth", async () => {
    const manager = await asManager();
    const got = collect(manager);
    await manager.subscribeAsync(t.filters.managerRequests, { qos: 1 });
    const viewer = await asUser(tb.port, "vera", { clientId: "dash-vera" });
    const forged = { transaction: "t1", params: { x: 1 }, auth: { username: "ada", role: "admin", clientId: "dash-ada" } };
    await viewer.publishAsync(t.managerRequest("users.list"), JSON.stringify(forged), { qos: 1 });
    expect(await until(() => got.length === 1)).toBe(true);
    const req = managerRequestSchema.parse(JSON.parse(got[0]?.payload ?? ""));
    expect(req).toEqual({ transaction: "t1", params: { x: 1 }, auth: { username: "vera", role: "viewer", clientId: "dash-vera" } });
    expect(got[0]?.topic).toBe(t.managerRequest("users.list"));
  });

  it("drops a request whose payload is not a JSON object, and a retained one", async () => {
    const manager = await asManager();
    const got = collect(manager);
    await manager.subscribeAsync(t.filters.managerRequests, { qos: 1 });
    for (const [payload, retain] of [["not json", false], ["[1,2]", false], ["{}", true]] as const) {
      const op = await asUser(tb.port, "otto");
      const wasClosed = closed(op, 300);
      await op.publishAsync(t.managerRequest("boards.list"), payload, { qos: 1, retain });
      expect(await wasClosed).toBe(false);
    }
    await sleep(150);
    expect(got).toHaveLength(0);
  });

  it("forwards a response only to the client it is addressed to", async () => {
    const manager = await asManager();
    const vera = await asUser(tb.port, "vera", { clientId: "dash-vera" });
    const otto = await asUser(tb.port, "otto", { clientId: "dash-otto" });
    const ada = await asUser(tb.port, "ada", { clientId: "dash-ada" });
    const [gv, go, ga] = [collect(vera), collect(otto), collect(ada)];
    await vera.subscribeAsync(t.managerResponse("dash-vera"), { qos: 1 });
    await otto.subscribeAsync("bbb/manager/response/+", { qos: 1 });
    await ada.subscribeAsync("bbb/#", { qos: 1 });
    await manager.publishAsync(t.managerResponse("dash-vera"), '{"transaction":"t1","status":"ok","data":1}', { qos: 1 });
    await manager.publishAsync(t.managerResponse("dash-otto"), '{"transaction":"t2","status":"ok","data":2}', { qos: 1 });
    expect(await until(() => gv.length === 1 && go.length === 1)).toBe(true);
    await sleep(150);
    expect(gv.map((m) => m.topic)).toEqual([t.managerResponse("dash-vera")]);
    expect(go.map((m) => m.topic)).toEqual([t.managerResponse("dash-otto")]);
    expect(ga.filter((m) => m.topic.includes("/response/"))).toHaveLength(0);
  });
});
