import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeRoot, type FakeRoot } from "@bbb/agent/sim";
import type { MqttClient } from "mqtt";
import {
  ADMIN_PASSWORD,
  connectClient,
  request,
  spawnAgent,
  startTestServer,
  watchHosts,
  type TestServer,
} from "./helpers.js";

// Death detection deadlines of the issue: a real agent process against the real all-in-one server.
describe("a real agent process against the all-in-one server", () => {
  let srv: TestServer;
  let viewer: MqttClient;
  let hosts: Awaited<ReturnType<typeof watchHosts>>;
  const roots: FakeRoot[] = [];
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    srv = await startTestServer();
    viewer = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    hosts = await watchHosts(viewer);
  });
  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill("SIGCONT");
        c.kill("SIGKILL");
      }
    }
    await viewer?.endAsync();
    await srv?.stop();
    for (const r of roots) await r.cleanup();
  });

  const start = async (index: number) => {
    const root = await createFakeRoot({ index });
    roots.push(root);
    // A registered node matching the board: its state is then `online` (not `unregistered`).
    // DHCP: the agent process reports this machine's real address, not the fake root's.
    const r = await request(viewer, "nodes.upsert", {
      hostname: root.options.hostname,
      ip: { mode: "dhcp" },
      type: "mbtemp",
    });
    expect(r.status).toBe("ok");
    const child = spawnAgent(srv.mqttUrl, root);
    children.push(child);
    return { root, child, startedAt: Date.now() };
  };

  // The bounds tell the mechanisms apart, not speed (the detection figures are in BENCHMARKS.md):
  // online comes with the birth message, not after a heartbeat period; a killed agent is lost by
  // its will at once, well before a keepalive (3 s) could expire; a stopped one by the keepalive.
  it("shows online at start (birth), lost at once on SIGKILL (will)", async () => {
    const { root, child, startedAt } = await start(11);
    const online = await hosts.waitState(root.boardId, "online", 8000);
    // Node's own start-up is part of "start": measured from spawn.
    expect(online.at - startedAt).toBeLessThan(5000);
    expect(online.heartbeat?.hostname).toBe(root.options.hostname);
    const killedAt = Date.now();
    child.kill("SIGKILL");
    const lost = await hosts.waitState(root.boardId, "lost", 3000);
    expect(lost.at - killedAt).toBeLessThan(2500);
  });

  it("marks a SIGSTOPped agent lost by keepalive expiry and online again after SIGCONT", async () => {
    const { root, child } = await start(12);
    await hosts.waitState(root.boardId, "online", 5000);
    try {
      const stoppedAt = Date.now();
      child.kill("SIGSTOP");
      const lost = await hosts.waitState(root.boardId, "lost", 8000);
      expect(lost.at - stoppedAt).toBeLessThan(6000);
    } finally {
      child.kill("SIGCONT");
    }
    await hosts.waitState(root.boardId, "online", 10_000);
    child.kill("SIGTERM");
    await hosts.waitState(root.boardId, "offline", 5000);
  });
});
