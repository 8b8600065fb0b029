import { describe, expect, it } from "vitest";
import { createFakeRoot } from "../sim/fake-root.js";
import { createRootedFs } from "../system/rooted-fs.js";
import { loadConfig, resolveConfig } from "./load-config.js";

const files = (m: Record<string, string>) => async (p: string) => m[p] ?? null;

describe("agent config", () => {
  it("uses defaults without a file", async () => {
    const c = await loadConfig({ env: {}, readFile: files({}) });
    expect(c).toMatchObject({
      mqttUrls: ["mqtt://127.0.0.1:1883"],
      heartbeatMs: 1000,
      keepaliveS: 2,
      rootPrefix: "/",
      topicRoot: "bbb",
      networkConfirmMs: 60_000,
    });
  });

  it("reads the file and lets env win", async () => {
    const c = await loadConfig({
      env: {
        BBB_AGENT_CONFIG: "/c.json",
        BBB_MQTT_URL: "mqtt://a:1883, mqtt://b:1883",
        BBB_HEARTBEAT_MS: "500",
        BBB_SERVICES: "bbb-function,ser2net",
      },
      readFile: files({
        "/c.json": JSON.stringify({ heartbeatMs: 2000, token: "t", services: ["x"], type: "mbtemp" }),
      }),
    });
    expect(c).toMatchObject({
      mqttUrls: ["mqtt://a:1883", "mqtt://b:1883"],
      heartbeatMs: 500,
      token: "t",
      services: ["bbb-function", "ser2net"],
      type: "mbtemp",
    });
  });

  it("rejects bad values, unknown keys and a missing explicit file with AGENT_E_CONFIG", async () => {
    await expect(loadConfig({ env: { BBB_HEARTBEAT_MS: "fast" }, readFile: files({}) })).rejects.toMatchObject({
      code: "AGENT_E_CONFIG",
      message: expect.stringContaining("heartbeatMs"),
    });
    await expect(
      loadConfig({ env: { BBB_AGENT_CONFIG: "/c.json" }, readFile: files({ "/c.json": '{"heartbeat":1}' }) }),
    ).rejects.toMatchObject({ code: "AGENT_E_CONFIG" });
    await expect(loadConfig({ env: { BBB_AGENT_CONFIG: "/nope.json" }, readFile: files({}) })).rejects.toThrow(
      /not found/,
    );
    await expect(loadConfig({ env: { BBB_MQTT_URL: "http://x" }, readFile: files({}) })).rejects.toThrow(/broker URL/);
    await expect(loadConfig({ env: { BBB_BOARD_ID: "Bad Id" }, readFile: files({}) })).rejects.toThrow(/board id/);
  });

  it("defaults the board id to eth0's MAC read through the root prefix", async () => {
    const fake = await createFakeRoot({ mac: "A0:F6:FD:8B:1C:22" });
    try {
      const c = await loadConfig({ env: { BBB_ROOT_PREFIX: fake.root }, readFile: files({}) });
      expect((await resolveConfig(c, createRootedFs(c.rootPrefix))).boardId).toBe("a0f6fd8b1c22");
      await expect(resolveConfig(c, createRootedFs("/nonexistent-root"))).rejects.toMatchObject({
        code: "AGENT_E_CONFIG",
      });
    } finally {
      await fake.cleanup();
    }
  });
});
