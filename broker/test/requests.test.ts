import { describe, expect, it } from "vitest";
import { createTopics, managerRequestSchema } from "@bbb/shared";
import { deriveStampKey, verifyRequestAuth } from "../src/request-sig.js";
import { SECRET, asUser, closed, collect, connect, managerPassword, sleep, until, useBroker } from "./helpers.js";

const t = createTopics("bbb");
const tb = useBroker();

const asManager = () => connect(tb.port, { clientId: "bbb-manager", username: "manager", password: managerPassword() });

describe("manager requests and responses", () => {
  it("stamps the publisher's identity over a forged auth", async () => {
    const manager = await asManager();
    const got = collect(manager);
    await manager.subscribeAsync(t.filters.managerRequests, { qos: 1 });
    const viewer = await asUser(tb.port, "vera", { clientId: "dash-vera" });
    const forged = { transaction: "t1", params: { x: 1 }, token: "some.token", auth: { username: "ada", role: "admin", clientId: "dash-ada", sig: "0".repeat(64) } };
    await viewer.publishAsync(t.managerRequest("users.list"), JSON.stringify(forged), { qos: 1 });
    expect(await until(() => got.length === 1)).toBe(true);
    const req = managerRequestSchema.parse(JSON.parse(got[0]?.payload ?? ""));
    const { sig, ...who } = req.auth ?? { sig: "" };
    expect({ ...req, auth: who }).toEqual({ transaction: "t1", params: { x: 1 }, auth: { username: "vera", role: "viewer", clientId: "dash-vera" } });
    // Signed with the fleet secret's stamp key over who and the transaction; the token is removed.
    expect(req.auth && verifyRequestAuth(deriveStampKey(SECRET), req.auth, "t1")).toBe(true);
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
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

  it("forwards a reply to every connection of the user it names, none of anyone else's", async () => {
    const manager = await asManager();
    const sub = await asUser(tb.port, "vera", { clientId: "mosquitto-sub-1" });
    const otto = await asUser(tb.port, "otto", { clientId: "dash-otto" });
    const ada = await asUser(tb.port, "ada", { clientId: "dash-ada" });
    const [gs, go, ga] = [collect(sub), collect(otto), collect(ada)];
    await sub.subscribeAsync("bbb/manager/response/vera/r1", { qos: 1 });
    await otto.subscribeAsync("bbb/manager/response/#", { qos: 1 });
    await ada.subscribeAsync("bbb/#", { qos: 1 });
    await manager.publishAsync(t.managerReply("vera", "r1"), '{"transaction":"t1","status":"ok","data":1}', { qos: 1 });
    expect(await until(() => gs.length === 1)).toBe(true);
    await sleep(150);
    expect(go).toHaveLength(0);
    expect(ga.filter((m) => m.topic.includes("/response/"))).toHaveLength(0);
  });

  it("delivers requests (they may carry a token or a password) to the manager only", async () => {
    const manager = await asManager();
    const gm = collect(manager);
    await manager.subscribeAsync(t.filters.managerRequests, { qos: 1 });
    const ada = await asUser(tb.port, "ada", { clientId: "dash-ada" });
    const ga = collect(ada);
    await ada.subscribeAsync("bbb/#", { qos: 1 });
    const vera = await asUser(tb.port, "vera", { clientId: "dash-vera" });
    await vera.publishAsync(t.managerRequest("auth.login"), '{"transaction":"t1","replyTo":"r1","params":{"username":"vera","password":"secret-pw"}}', { qos: 1 });
    expect(await until(() => gm.length === 1)).toBe(true);
    await sleep(150);
    expect(ga.filter((m) => m.topic.includes("/request/"))).toHaveLength(0);
  });
});
