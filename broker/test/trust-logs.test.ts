import { afterAll, beforeAll, expect, it } from "vitest";
import { connect, startBroker, type TestBroker } from "./helpers.js";

let tb: TestBroker;
beforeAll(async () => {
  tb = await startBroker();
});
afterAll(async () => tb.stop());

it("a failed CONNECT with a 60 KB username logs a capped username, not the whole of it", async () => {
  const username = "u".repeat(60_000);
  await expect(connect(tb.port, { clientId: "x1", username, password: "nope" })).rejects.toThrow();
  const line = tb.logs.find((l) => l.msg === "authentication failed");
  expect(line).toBeDefined();
  expect(JSON.stringify(line).length).toBeLessThan(1000);
  expect(String(line?.username)).toMatch(/^u{64}… \(60000 bytes\)$/);
});
