import { createTopics } from "@bbb/shared";
import { describe, expect, it } from "vitest";
import { enc, hostView } from "../test-support/fixtures.js";
import { decodeMessage } from "./decode-message.js";

const t = createTopics("bbb");

describe("decodeMessage", () => {
  it("parses a registry host view with the shared schema", () => {
    const ev = decodeMessage("bbb", t.registryHost("a1"), enc(hostView("a1")), 5);
    expect(ev).toMatchObject({ kind: "host", id: "a1", view: { state: "online" } });
  });

  it("parses the volatile fields of many boards (registry/volatile)", () => {
    const hb = hostView("a1", { hb: { seq: 9 } }).heartbeat;
    const ev = decodeMessage("bbb", t.registryVolatile(), enc({ v: 1, ts: 3, hosts: [{ id: "a1", lastSeen: 3_000, heartbeat: hb }] }), 5);
    expect(ev).toEqual({ kind: "volatile", hosts: [{ id: "a1", lastSeen: 3_000, heartbeat: hb }] });
    expect(decodeMessage("bbb", t.registryVolatile(), enc({ v: 1, ts: 3, hosts: [{ id: "a1" }] }), 5)).toBeNull();
  });

  it("turns an empty retained payload into a removal", () => {
    expect(decodeMessage("bbb", t.registryHost("a1"), new Uint8Array(), 5)).toEqual({ kind: "host", id: "a1", view: null });
  });

  it("drops invalid JSON, schema violations, other roots and the raw heartbeat stream", () => {
    expect(decodeMessage("bbb", t.registryHost("a1"), new TextEncoder().encode("{"), 5)).toBeNull();
    expect(decodeMessage("bbb", t.registryHost("a1"), enc({ ...hostView("a1"), state: "dancing" }), 5)).toBeNull();
    expect(decodeMessage("bbb", "other/registry/hosts/a1", enc(hostView("a1")), 5)).toBeNull();
    expect(decodeMessage("bbb", t.heartbeat("a1"), enc({}), 5)).toBeNull();
  });

  it("parses results and logs with the board id from the topic", () => {
    const r = decodeMessage("bbb", t.result("a1", "r1"), enc({ v: 1, id: "r1", action: "reboot", status: "accepted", ts: 1 }), 9);
    expect(r).toMatchObject({ kind: "result", boardId: "a1", at: 9, result: { status: "accepted" } });
    const l = decodeMessage("bbb", t.log("a1"), enc({ v: 1, level: "warn", msg: "x", ts: 1 }), 9);
    expect(l).toMatchObject({ kind: "log", boardId: "a1", line: { level: "warn" } });
  });
});
