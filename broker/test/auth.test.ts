import { describe, expect, it } from "vitest";
import { MOSQUITTO, PASSWORDS, asBoard, asUser, boardToken, connect, managerPassword, mosquitto, useBroker } from "./helpers.js";

const tb = useBroker();

describe("authentication", () => {
  it("accepts a board with its token, the manager and each user role", async () => {
    const seen: { role: string; username: string }[] = [];
    tb.broker.events.on("client-connected", (e: { role: string; username: string }) => seen.push(e));
    await asBoard(tb.port, "a0f6fd8b1c22");
    await connect(tb.port, { clientId: "mgr-1", username: "manager", password: managerPassword() });
    await asUser(tb.port, "vera");
    await asUser(tb.port, "otto");
    await asUser(tb.port, "ada");
    expect(seen.map((s) => s.role).sort()).toEqual(["admin", "agent", "manager", "operator", "viewer"]);
    expect(tb.broker.connectedClients()).toBe(5);
  });

  it("refuses a wrong password, emits auth-failed and never logs the password", async () => {
    const failed: unknown[] = [];
    tb.broker.events.on("auth-failed", (e) => failed.push(e));
    await expect(connect(tb.port, { clientId: "x1", username: "vera", password: "wrong-password-77" })).rejects.toThrow(/Bad username or password/i);
    await expect(asBoard(tb.port, "b1", { password: boardToken("b2") })).rejects.toThrow(/Bad username or password/i);
    await expect(connect(tb.port, { clientId: "m", username: "manager", password: boardToken("manager") })).rejects.toThrow();
    await expect(connect(tb.port, { clientId: "nobody", username: "Not A Board", password: "whatever-123" })).rejects.toThrow();
    await expect(connect(tb.port, { clientId: "anon" })).rejects.toThrow();
    expect(failed).toContainEqual({ username: "vera", address: "127.0.0.1", reason: "bad-password" });
    expect(failed).toContainEqual({ username: "Not A Board", address: "127.0.0.1", reason: "unknown-user" });
    expect(failed).toHaveLength(5);
    const text = JSON.stringify(tb.logs);
    expect(text).toContain("authentication failed");
    expect(text).not.toContain("wrong-password-77");
    expect(text).not.toContain(boardToken("b2"));
  });

  it("refuses a board whose client id differs from its board id", async () => {
    await expect(asBoard(tb.port, "b3", { clientId: "b3-other" })).rejects.toThrow(/Not authorized/i);
  });

  it("refuses an agent whose will is not its own status topic", async () => {
    await expect(asBoard(tb.port, "b4", { will: { topic: "bbb/b5/status", payload: Buffer.from("x"), qos: 1, retain: true } })).rejects.toThrow(
      /Not authorized/i,
    );
    await asBoard(tb.port, "b4", { will: { topic: "bbb/b4/status", payload: Buffer.from("{}"), qos: 1, retain: true } });
  });

  it("slows down repeated failures from one address, within a bound", async () => {
    for (let i = 0; i < 6; i++) {
      await expect(connect(tb.port, { clientId: `guess-${i}`, username: "ada", password: `guess-${i}-guess` })).rejects.toThrow();
    }
    const delays = tb.logs.filter((l) => l.msg === "authentication failed" && l.username === "ada").map((l) => l.delayMs as number);
    expect(delays.at(-1)).toBe(100);
    expect(delays.every((d, i) => i === 0 || d >= (delays[i - 1] as number))).toBe(true);
  });

  it.skipIf(!MOSQUITTO)("refuses mosquitto_sub with a wrong password (CONNACK bad username or password)", async () => {
    const r = await mosquitto("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(tb.port), "-u", "ada", "-P", "nope-nope-nope", "-t", "bbb/#", "-C", "1", "-W", "3"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not authori[sz]ed|bad user ?name or password/i);
    const ok = await mosquitto("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(tb.port), "-u", "ada", "-P", PASSWORDS.ada, "-t", "bbb/manager/request/ping", "-m", "{}"]);
    expect(ok.code).toBe(0);
  });
});
