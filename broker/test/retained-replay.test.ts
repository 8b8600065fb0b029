import { expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { asUser, collect, managerPassword, connect, until, useBroker } from "./helpers.js";

const t = createTopics("bbb");
const tb = useBroker();

/**
 * A client that subscribes while retained topics keep changing (a dashboard opened during a
 * reconnect storm, 10,000 host views) must end with the newest message of every topic. The
 * replay of retained messages takes a while; a copy taken at SUBSCRIBE time and written after
 * newer live messages used to leave the client showing the older view until the next change.
 */
it("a subscriber ends with the newest retained message of every topic, even when they change during its replay", async () => {
  const n = 3000;
  const manager = await connect(tb.port, { clientId: "manager", username: "manager", password: managerPassword() });
  const view = (i: number, gen: number) => JSON.stringify({ id: `b${i}`, gen, pad: "x".repeat(400) });
  for (let i = 0; i < n; i++) manager.publish(t.registryHost(`b${i}`), view(i, 1), { qos: 1, retain: true });
  await manager.publishAsync(t.registrySummary(), "{}", { qos: 1, retain: true });

  const viewer = await asUser(tb.port, "vera");
  const got = collect(viewer);
  const last = new Map<string, number>();
  viewer.on("message", (topic, payload) => {
    if (topic.startsWith(t.registryHost(""))) last.set(topic, (JSON.parse(payload.toString()) as { gen: number }).gen);
  });
  const subscribed = viewer.subscribeAsync(t.registryHost("+"), { qos: 1 });
  // Newer views of every board while the replay is on its way.
  for (let i = 0; i < n; i++) manager.publish(t.registryHost(`b${i}`), view(i, 2), { qos: 1, retain: true });
  await subscribed;
  await until(() => last.size === n && [...last.values()].every((g) => g === 2), 20_000);
  expect([...last.values()].filter((g) => g !== 2)).toEqual([]);
  expect(last.size).toBe(n);
  expect(got.length).toBeGreaterThanOrEqual(n);
});
