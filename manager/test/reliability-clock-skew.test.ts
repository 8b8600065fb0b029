import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MqttClient } from "mqtt";
import { deriveBoardToken } from "@bbb/broker";
import { writeFigure } from "../../scripts/reliability.mjs";
import { ADMIN_PASSWORD, FLEET_SECRET, connectClient, startTestServer, topics, watchHosts, type TestServer } from "./helpers.js";

/**
 * RELIABILITY.md §"Boards whose clock is minutes off" — "A board whose clock is minutes off is flagged (clock skew), not mis-timed": liveness
 * uses the manager's receive time, so a board 5 minutes behind (or ahead) is online with a
 * `clock-skew` problem, turns lost 3 periods after its last beat like any other, and loses the
 * flag once its clock is right.
 */
const SKEWS = [-5 * 60_000, 7 * 60_000, 0];

describe("boards with a wrong clock", () => {
  let srv: TestServer;
  let watcher: MqttClient;
  let hosts: Awaited<ReturnType<typeof watchHosts>>;
  const boards: { id: string; c: MqttClient; skew: number; timer?: NodeJS.Timeout; seq: number }[] = [];
  const fig: Record<string, number | string> = {};

  beforeAll(async () => {
    srv = await startTestServer();
    watcher = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    hosts = await watchHosts(watcher);
  });
  afterAll(async () => {
    for (const b of boards) {
      clearInterval(b.timer);
      await b.c.endAsync(true).catch(() => undefined);
    }
    await watcher?.endAsync(true);
    await srv?.stop();
    writeFigure("fault-clock-skew", {
      kind: "fault",
      title: "Boards whose clock is minutes off",
      test: "manager/test/reliability-clock-skew.test.ts",
      claim: "Flagged `clock-skew` while online; liveness by receive time: lost 3 periods after the last beat, whatever the board's clock says; the flag goes once the clock is right.",
      figures: fig,
      fixed: ["the `clock-skew` problem existed in the schema but nothing raised it; the registry now flags a live beat more than 60 s off the receive time."],
    });
  });

  const beat = (b: (typeof boards)[number]) =>
    b.c.publish(
      topics.heartbeat(b.id),
      JSON.stringify({ v: 1, id: b.id, session: "s1", seq: b.seq++, ts: Date.now() + b.skew, hostname: `skew-${b.id.slice(-2)}`, ip: `10.128.1.${60 + boards.indexOf(b)}`, type: "mbtemp", uptime: 5 }),
      { qos: 0, retain: true },
    );

  it("flags skewed boards without mis-timing them", async () => {
    for (const [i, skew] of SKEWS.entries()) {
      const id = `c10c5e0000${i}0`;
      const c = await connectClient(srv.mqttUrl, id, deriveBoardToken(FLEET_SECRET, id), id);
      const b: (typeof boards)[number] = { id, c, skew, seq: 0 };
      boards.push(b);
      c.publish(topics.status(id), JSON.stringify({ v: 1, state: "online", session: "s1", ts: Date.now() + skew }), { qos: 1, retain: true });
      beat(b);
      b.timer = setInterval(() => beat(b), 1000);
    }
    for (const b of boards) {
      const v = await hosts.waitState(b.id, "unregistered", 5000);
      const skewed = b.skew !== 0;
      await (skewed
        ? hosts.waitState(b.id, "unregistered", 5000).then(() =>
            new Promise<void>((res, rej) => {
              const until = Date.now() + 5000;
              const t = setInterval(() => {
                if (hosts.views.get(b.id)?.problems.some((p) => p.code === "clock-skew")) {
                  clearInterval(t);
                  res();
                } else if (Date.now() > until) {
                  clearInterval(t);
                  rej(new Error(`no clock-skew on ${b.id}: ${JSON.stringify(v.problems)}`));
                }
              }, 50);
            }),
          )
        : Promise.resolve());
      const p = hosts.views.get(b.id)!.problems.find((x) => x.code === "clock-skew");
      expect(Boolean(p), b.id).toBe(skewed);
      if (p) fig[`flagged: board ${b.skew > 0 ? "ahead" : "behind"} by (s)`] = Number(p.actual);
    }
    // Mis-timing would show as lost (ts in the past) or never lost (ts in the future): stop one of each.
    const t0 = Date.now();
    for (const b of boards) clearInterval(b.timer);
    for (const b of boards) await hosts.waitState(b.id, "lost", 5000);
    fig["lost after the last beat, all boards (ms, deadline 3 periods + sweep)"] = Date.now() - t0;
    expect(Date.now() - t0).toBeLessThan(4500);
  });

  it("drops the flag once the clock is right", async () => {
    const b = boards[0]!;
    b.skew = 0;
    beat(b);
    b.timer = setInterval(() => beat(b), 1000);
    await hosts.waitState(b.id, "unregistered", 5000);
    const until = Date.now() + 5000;
    while (hosts.views.get(b.id)!.problems.some((p) => p.code === "clock-skew") && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(hosts.views.get(b.id)!.problems.map((p) => p.code)).not.toContain("clock-skew");
    fig["flag cleared after the clock was set right"] = "yes";
  });
});
