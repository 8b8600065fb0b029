import { expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { asBoard, asUser, collect, until, useBroker } from "./helpers.js";

const t = createTopics("bbb");
const tb = useBroker();

it("a QoS 1 result followed at once by a QoS 0 heartbeat reaches a subscriber of both, every time, each once", async () => {
  const watcher = await asUser(tb.port, "vera");
  const got = collect(watcher);
  // Two of the subscriptions overlap: each heartbeat must still arrive once.
  await watcher.subscribeAsync([t.heartbeat("od1"), t.filters.allHeartbeats], { qos: 0 });
  await watcher.subscribeAsync(t.filters.allResults, { qos: 1 });
  const board = await asBoard(tb.port, "od1");
  const N = 200;
  const sent: Promise<unknown>[] = [];
  for (let i = 0; i < N; i++) {
    // As an agent does: the result (QoS 1) and, right after it, a heartbeat (QoS 0, retained).
    sent.push(board.publishAsync(t.result("od1", `r${i}`), JSON.stringify({ i }), { qos: 1 }));
    sent.push(board.publishAsync(t.heartbeat("od1"), JSON.stringify({ i }), { qos: 0, retain: true }));
  }
  await Promise.all(sent);
  const results = () => got.filter((m) => m.topic.includes("/result/")).length;
  const beats = () => got.filter((m) => m.topic === t.heartbeat("od1")).length;
  await until(() => results() === N && beats() >= N, 10_000);
  expect(results()).toBe(N);
  expect(beats()).toBe(N);
});

it("a retained QoS 1 view published just before an unretained QoS 0 message (as the manager does) reaches a subscriber of both", async () => {
  const watcher = await asUser(tb.port, "vera");
  const got = collect(watcher);
  await watcher.subscribeAsync(t.filters.registry, { qos: 0 });
  const local = tb.broker.localClient({ message: () => undefined, error: () => undefined });
  const N = 100;
  const sent: Promise<void>[] = [];
  for (let i = 0; i < N; i++) {
    // In one synchronous turn: the QoS 0 message is handed to subscribers at once, the retained
    // QoS 1 one only after it is stored, so the later-numbered message arrives first.
    sent.push(local.publish(t.registryHost(`od${i}`), JSON.stringify({ i }), { qos: 1, retain: true }));
    sent.push(local.publish(t.registryVolatile(), JSON.stringify({ i }), { qos: 0, retain: false }));
  }
  await Promise.all(sent);
  const views = () => got.filter((m) => m.topic.includes("/registry/hosts/")).length;
  await until(() => views() === N, 10_000);
  expect(views()).toBe(N);
  expect(got.filter((m) => m.topic === t.registryVolatile())).toHaveLength(N);
  await local.close();
});
