import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTopics, resultSchema, statusSchema, type Result } from "@bbb/shared";
import type { ExecResult } from "../src/system/exec.js";
import { startBroker, startObserver, type Received } from "./helpers/broker.js";
import { startSimAgentWith } from "./helpers/sim-agent.js";

const topics = createTopics("bbb");
type Sim = Awaited<ReturnType<typeof startSimAgentWith>>;

/**
 * Actions that touch the agent's own link (docs/protocol.md §"Commands and results"): set-hostname keeps it,
 * set-ip leaves it cleanly and is born again (the broker never publishes the will), and reboot
 * reports its final result before asking systemd, which then stops the agent.
 */
describe("actions and the broker link (real Aedes broker, simulated board)", () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let obs: Awaited<ReturnType<typeof startObserver>>;
  /** Results as the broker received them from the agent (before it acknowledged them). */
  const atBroker: Result[] = [];
  const sims: Sim[] = [];
  beforeAll(async () => {
    broker = await startBroker();
    // Aedes authorises a PUBLISH before it writes the PUBACK (and publishes to subscribers
    // after it): what is recorded here was received before the agent could see it acknowledged.
    broker.aedes.authorizePublish = (client, packet, done) => {
      if (client && packet.topic.includes("/result/"))
        atBroker.push(resultSchema.parse(JSON.parse(packet.payload.toString())));
      done(null);
    };
    obs = await startObserver(broker.url, ["bbb/+/status", "bbb/+/result/+"]);
  });
  afterEach(async () => {
    for (const s of sims.splice(0)) await s.cleanup();
  });
  afterAll(async () => {
    await obs?.close();
    await broker?.close();
  });

  const start = async (
    index: number,
    layout: "connman" | "networkd",
    override?: (a: readonly string[]) => ExecResult | undefined,
  ) => {
    const s = await startSimAgentWith(broker.url, override ? { override } : {}, {}, { index, layout });
    sims.push(s);
    await obs.waitFor(
      (m) => m.topic === topics.status(s.config.boardId) && JSON.parse(m.payload).session === s.agent.session,
    );
    return s;
  };
  const results = (s: Sim, id: string, from = 0) =>
    obs.received
      .slice(from)
      .filter((m) => m.topic === topics.result(s.config.boardId, id))
      .map((m) => resultSchema.parse(JSON.parse(m.payload)));
  const final = (s: Sim, id: string) => (m: Received) =>
    m.topic === topics.result(s.config.boardId, id) &&
    ["succeeded", "failed", "rejected", "expired"].includes(JSON.parse(m.payload).status);
  const statuses = (s: Sim, from: number) =>
    obs.received
      .slice(from)
      .filter((m) => m.topic === topics.status(s.config.boardId))
      .map((m) => statusSchema.parse(JSON.parse(m.payload)));
  const send = (s: Sim, action: string, body: object) =>
    obs.publish(topics.cmd(s.config.boardId, action), JSON.stringify(body));

  it("set-hostname keeps the connection: no status message at all, so never `lost`", async () => {
    const s = await start(41, "connman");
    const from = obs.received.length;
    await send(s, "set-hostname", { id: "hn-1", args: { hostname: "LA-RaCtrl:CO-Srv-4" } });
    const done = resultSchema.parse(JSON.parse((await obs.waitFor(final(s, "hn-1"), 10_000, from)).payload));
    expect(done).toMatchObject({ status: "succeeded", data: { hostname: "LA-RaCtrl--CO-Srv-4", changed: true } });
    // A ping after it proves the link carried on; the status topic stayed silent throughout.
    await send(s, "ping", { id: "hn-after" });
    await obs.waitFor(final(s, "hn-after"), 10_000, from);
    expect(statuses(s, from)).toEqual([]);
    expect(s.agent.isConnected()).toBe(true);
  });

  it("set-ip leaves the broker with a clean DISCONNECT and is born `online` again: no `lost`", async () => {
    const s = await start(42, "connman");
    const from = obs.received.length;
    await send(s, "set-ip", {
      id: "ip-link-1",
      args: { mode: "manual", ip: "10.128.9.42", netmask: "255.255.255.0", gateway: "10.128.9.1" },
    });
    const done = resultSchema.parse(JSON.parse((await obs.waitFor(final(s, "ip-link-1"), 15_000, from)).payload));
    expect(done.status).toBe("succeeded");
    expect(done.output).toContain("broker reached with the new configuration");
    const seen = statuses(s, from);
    expect(seen.map((x) => x.state)).not.toContain("lost");
    // Confirmed on a new connection, which published its birth.
    expect(seen).toContainEqual(expect.objectContaining({ state: "online", session: s.agent.session }));
    expect(s.rec.state.ip).toBe("10.128.9.42");
  });

  it("reboot: accepted, then a final `succeeded` acknowledged before `systemctl --no-block reboot`", async () => {
    let acknowledgedBeforeReboot: boolean | null = null;
    const s = await start(43, "networkd", (argv) => {
      const line = argv.join(" ");
      if (line === "systemctl --no-block reboot") {
        acknowledgedBeforeReboot = atBroker.some((r) => r.id === "rb-1" && r.status === "succeeded");
        return undefined;
      }
      // A blocking `systemctl reboot` is killed by the shutdown it started (seen under systemd).
      if (line === "systemctl reboot")
        return { exitCode: 1, stdout: "", stderr: "Call to Reboot failed: Connection reset by peer\n" };
      return undefined;
    });
    const from = obs.received.length;
    await send(s, "reboot", { id: "rb-1" });
    await obs.waitFor(final(s, "rb-1"), 10_000, from);
    // The final result reached the observer; the reboot call comes right after it.
    for (let i = 0; i < 200 && s.rec.state.reboots === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(s.rec.state.reboots).toBe(1);
    expect(acknowledgedBeforeReboot).toBe(true);
    const seen = results(s, "rb-1", from);
    expect(seen[0]?.status).toBe("accepted");
    expect(seen.at(-1)).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(seen.at(-1)?.output).toContain("reboot scheduled");
    // Nothing after the final result (the reboot call succeeded).
    await send(s, "ping", { id: "rb-after" });
    await obs.waitFor(final(s, "rb-after"), 10_000, from);
    expect(
      results(s, "rb-1", from)
        .map((r) => r.status)
        .filter((x) => x !== "running"),
    ).toEqual(["accepted", "succeeded"]);
  });

  it("reboot: a reboot call refused at once is reported as `failed` with its output", async () => {
    const s = await start(44, "networkd", (argv) =>
      argv.join(" ") === "systemctl --no-block reboot"
        ? { exitCode: 1, stdout: "", stderr: "Failed to reboot system via logind: Access denied\n" }
        : undefined,
    );
    const from = obs.received.length;
    await send(s, "reboot", { id: "rb-2" });
    const failed = await obs.waitFor(
      (m) => m.topic === topics.result(s.config.boardId, "rb-2") && JSON.parse(m.payload).status === "failed",
      10_000,
      from,
    );
    const r = resultSchema.parse(JSON.parse(failed.payload));
    expect(r).toMatchObject({ status: "failed", exitCode: 1, error: { code: "AGENT_E_EXEC_FAILED" } });
    expect(r.output).toContain("Failed to reboot system via logind: Access denied");
  });

  it("an agent stopped and started again answers a command once (no handler left from the first start)", async () => {
    const s = await start(45, "connman");
    await s.agent.stop();
    const restarted = obs.received.length;
    await s.agent.start();
    await obs.waitFor(
      (m) => m.topic === topics.status(s.config.boardId) && JSON.parse(m.payload).state === "online",
      10_000,
      restarted,
    );
    const from = obs.received.length;
    await send(s, "ping", { id: "restart-ping" });
    await obs.waitFor(final(s, "restart-ping"), 10_000, from);
    await new Promise((r) => setTimeout(r, 200));
    expect(results(s, "restart-ping", from).map((r) => r.status)).toEqual(["accepted", "running", "succeeded"]);
  });
});
