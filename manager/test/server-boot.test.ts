import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { deriveBoardToken } from "@bbb/broker";
import { inspectLock } from "../src/ops/data-lock.js";
import { bootServer } from "../src/server-boot.js";
import { ADMIN_PASSWORD, FLEET_SECRET, connectClient, testConfig, waitFor } from "./helpers.js";

/**
 * server-boot.ts: what boards need (data dir lock, secrets, the broker's thread) starts before
 * the manager's modules load (main.ts), and the server adopts it (docs/architecture.md).
 */
describe("server boot", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const log = pino({ level: "silent" });
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "bbb-boot-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };

  it("admits a board before the manager exists, and the server adopts the running broker", async () => {
    const dir = await tempDir();
    const config = testConfig(dir);
    const boot = await bootServer(config, log);
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) {
        await boot.broker?.stop();
        boot.lock.release();
      }
    });
    const listening = await boot.brokerListening;
    expect(listening?.mqttPort).toBeGreaterThan(0);
    const boardId = "a0f6fd0000b1";
    const url = `mqtt://127.0.0.1:${listening?.mqttPort}`;
    // Nothing of the manager is loaded by this test so far: the broker alone answers the board.
    const board = await connectClient(url, boardId, deriveBoardToken(FLEET_SECRET, boardId), boardId);
    cleanups.push(() => board.endAsync());

    const { createServer } = await import("../src/create-server.js");
    const server = createServer({ config, log, staticDir: null, settleMs: 200, boot });
    cleanups.push(async () => {
      stopped = true;
      await server.stop();
    });
    const started = await server.start();
    // The same broker: its port, and the board still connected to it.
    expect(started.ports.mqtt).toBe(listening?.mqttPort);
    expect(board.connected).toBe(true);
    board.publish(
      `bbb/${boardId}/status`,
      JSON.stringify({ v: 1, state: "online", session: "s-boot", ts: Date.now() }),
      { qos: 1, retain: true },
    );
    await waitFor(() => server.manager.registry.records.has(boardId), 5000);
    // isKnownBoard reaches the registry now: an admin login may not take the board's client id.
    const thief = connectClient(url, "admin", ADMIN_PASSWORD, boardId);
    await expect(thief).rejects.toThrow();
    await server.stop();
    stopped = true;
    // The lock went with the server: the data dir boots again.
    const again = await bootServer(testConfig(dir), log);
    await again.brokerListening;
    await again.broker?.stop();
    again.lock.release();
  });

  it("releases the data dir's lock when the boot fails", async () => {
    const dir = await tempDir();
    await expect(
      bootServer(testConfig(dir, { tls: { cert: join(dir, "missing.pem"), key: join(dir, "missing.key") } }), log),
    ).rejects.toThrow(/missing\.pem/);
    // No lock file left behind (this process would take its own stale lock over: look at the file).
    expect(inspectLock(dir).state).toBe("free");
    const boot = await bootServer(testConfig(dir), log);
    await boot.brokerListening;
    await boot.broker?.stop();
    boot.lock.release();
  });
});
