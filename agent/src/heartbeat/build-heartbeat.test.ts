import { describe, expect, it } from "vitest";
import { heartbeatSchema } from "@bbb/shared";
import { composeHeartbeat, serializeHeartbeat } from "./build-heartbeat.js";

describe("heartbeat size", () => {
  it("trims details and services to stay within 1 KiB and stays valid", () => {
    const services = Object.fromEntries(
      Array.from({ length: 32 }, (_, i) => [`device-bridge-number-${i}.service`, "active" as const]),
    );
    const hb = composeHeartbeat({
      id: "a0f6fd8b1c22",
      session: "s1",
      seq: 1,
      ts: 1,
      hostname: "LA-RaCtrl--CO-Srv-1",
      ip: "10.128.101.51",
      type: "mbtemp",
      uptime: 5,
      optional: {
        details: "x".repeat(4000),
        services,
        nameservers: ["10.0.0.71"],
        agentVersion: "0.1.0",
        gateway: undefined,
      },
    });
    const text = serializeHeartbeat(hb);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024);
    const parsed = heartbeatSchema.parse(JSON.parse(text));
    expect(parsed.id).toBe("a0f6fd8b1c22");
    expect("gateway" in parsed).toBe(false);
    expect(Object.keys(parsed.services ?? {}).length).toBeLessThan(32);
  });

  it("puts the required fields first, then the optional ones with a value, in the order given", () => {
    const hb = composeHeartbeat({
      id: "a0f6fd8b1c22",
      session: "s1",
      seq: 7,
      ts: 1,
      hostname: "bbb-a",
      ip: "10.128.1.2",
      type: "mbtemp",
      uptime: 5,
      optional: { mac: "a0:f6:fd:8b:1c:22", gateway: undefined, details: null, load1: 0, tempC: 47.3, services: {} },
    });
    expect(JSON.stringify(hb)).toBe(
      '{"v":1,"id":"a0f6fd8b1c22","session":"s1","seq":7,"ts":1,"hostname":"bbb-a","ip":"10.128.1.2","type":"mbtemp","uptime":5,"mac":"a0:f6:fd:8b:1c:22","load1":0,"tempC":47.3,"services":{}}',
    );
  });
});
