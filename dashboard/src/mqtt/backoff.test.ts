import { describe, expect, it } from "vitest";
import { backoffDelay } from "./backoff.js";
import { defaultServerUrl, isWsUrl } from "./ws-url.js";

describe("backoffDelay", () => {
  it("doubles from 500 ms up to a 15 s cap, within +-20 % jitter", () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, mid))).toEqual([500, 1000, 2000, 4000, 15_000]);
    expect(backoffDelay(0, () => 0)).toBe(400);
    expect(backoffDelay(0, () => 0.999)).toBeLessThanOrEqual(600);
    expect(backoffDelay(20, () => 0.999)).toBeLessThanOrEqual(15_000);
  });
});

describe("server URL", () => {
  it("defaults to the page's host + /mqtt, wss on https, port 4850 from a dev server", () => {
    expect(defaultServerUrl({ protocol: "http:", host: "srv:4850", hostname: "srv", port: "4850" })).toBe("ws://srv:4850/mqtt");
    expect(defaultServerUrl({ protocol: "https:", host: "srv", hostname: "srv", port: "" })).toBe("wss://srv/mqtt");
    expect(defaultServerUrl({ protocol: "http:", host: "localhost:5173", hostname: "localhost", port: "5173" }, "5173")).toBe("ws://localhost:4850/mqtt");
    expect(isWsUrl("ws://a:1/mqtt")).toBe(true);
    expect(isWsUrl("http://a/mqtt")).toBe(false);
  });
});
