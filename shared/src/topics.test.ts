import { describe, expect, it } from "vitest";
import { createTopics, parseTopic } from "./topics.js";

describe("topics", () => {
  const t = createTopics("bbb");
  it("builds the contract's topics", () => {
    expect(t.status("a0f6fd8b1c22")).toBe("bbb/a0f6fd8b1c22/status");
    expect(t.heartbeat("a0f6fd8b1c22")).toBe("bbb/a0f6fd8b1c22/heartbeat");
    expect(t.cmd("a0f6fd8b1c22", "reboot")).toBe("bbb/a0f6fd8b1c22/cmd/reboot");
    expect(t.result("a0f6fd8b1c22", "r-1")).toBe("bbb/a0f6fd8b1c22/result/r-1");
    expect(t.registryHost("x1")).toBe("bbb/registry/hosts/x1");
    expect(t.registrySummary()).toBe("bbb/registry/summary");
    expect(t.managerResponse("dash-1")).toBe("bbb/manager/response/dash-1");
  });
  it("round-trips every board topic through parseTopic", () => {
    expect(parseTopic(t.status("ab12"))).toEqual({ kind: "status", boardId: "ab12" });
    expect(parseTopic(t.heartbeat("ab12"))).toEqual({ kind: "heartbeat", boardId: "ab12" });
    expect(parseTopic(t.log("ab12"))).toEqual({ kind: "log", boardId: "ab12" });
    expect(parseTopic(t.inventory("ab12"))).toEqual({ kind: "inventory", boardId: "ab12" });
    expect(parseTopic(t.cmd("ab12", "set-ip"))).toEqual({ kind: "cmd", boardId: "ab12", action: "set-ip", known: true });
    expect(parseTopic(t.cmd("ab12", "format-disk"))).toMatchObject({ kind: "cmd", known: false });
    expect(parseTopic(t.result("ab12", "r:1.2"))).toEqual({ kind: "result", boardId: "ab12", requestId: "r:1.2" });
    expect(parseTopic(t.managerRequest("hosts.list"))).toEqual({ kind: "manager-request", method: "hosts.list" });
    expect(parseTopic(t.registryType("mbtemp"))).toEqual({ kind: "registry-type", name: "mbtemp" });
  });
  it("rejects foreign roots, empty levels, bad ids and extra levels", () => {
    expect(parseTopic("other/ab12/status")).toBeNull();
    expect(parseTopic("bbb//status")).toBeNull();
    expect(parseTopic("bbb/AB12/status")).toBeNull();
    expect(parseTopic("bbb/ab12/status/extra")).toBeNull();
    expect(parseTopic("bbb/ab12/result/has space")).toBeNull();
    expect(parseTopic("bbb/registry/hosts")).toBeNull();
    expect(parseTopic("bbb/manager/other")).toBeNull();
  });
  it("honours a custom root", () => {
    const c = createTopics("lab");
    expect(parseTopic(c.heartbeat("b1"), "lab")).toEqual({ kind: "heartbeat", boardId: "b1" });
    expect(parseTopic(c.heartbeat("b1"))).toBeNull();
  });
});
