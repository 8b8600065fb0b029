import { describe, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { MOSQUITTO, PASSWORDS, granted, asBoard, connect, managerPassword, asUser, closed, collect, mosquitto, sleep, until, useBroker } from "./helpers.js";

const t = createTopics("bbb");
const asManager = () => connect(tb.port, { clientId: "bbb-manager", username: "manager", password: managerPassword() });
const tb = useBroker();

const pubArgs = (user: keyof typeof PASSWORDS, topic: string, extra: string[] = []) => [
  "-h", "127.0.0.1", "-p", String(tb.port), "-u", user, "-P", PASSWORDS[user], "-q", "1", "-t", topic, "-m", "{}", ...extra,
];

describe("board ACL", () => {
  it("lets a board publish its own topics and refuses another board's heartbeat", async () => {
    const watcher = await asUser(tb.port, "vera");
    const got = collect(watcher);
    await watcher.subscribeAsync("bbb/#");
    const board = await asBoard(tb.port, "b1");
    await board.publishAsync(t.heartbeat("b1"), "{}", { retain: true });
    await board.publishAsync(t.result("b1", "req-1"), "{}", { qos: 1 });
    await board.publishAsync(t.log("b1"), "{}");
    expect(await until(() => got.length === 3)).toBe(true);

    const wasClosed = closed(board);
    board.publish(t.heartbeat("b2"), '{"forged":true}', { qos: 0 });
    expect(await wasClosed).toBe(true);
    await sleep(200);
    expect(got.map((m) => m.topic)).not.toContain(t.heartbeat("b2"));
  });

  it("refuses a board publishing a command or a retained result", async () => {
    const watcher = await asUser(tb.port, "vera");
    const got = collect(watcher);
    await watcher.subscribeAsync("bbb/+/cmd/+");
    const board = await asBoard(tb.port, "b1");
    const wasClosed = closed(board);
    board.publish(t.cmd("b9", "reboot"), "{}");
    expect(await wasClosed).toBe(true);
    const again = await asBoard(tb.port, "b1");
    const closedAgain = closed(again);
    again.publish(t.result("b1", "r2"), "{}", { retain: true });
    expect(await closedAgain).toBe(true);
    await sleep(150);
    expect(got).toHaveLength(0);
  });

  it("gives a board nothing when it subscribes to another board's commands", async () => {
    const board = await asBoard(tb.port, "b1");
    const got = collect(board);
    for (const f of [t.cmdAll("b2"), "bbb/+/cmd/#", "#", t.heartbeat("b1"), "bbb/b1/cmd/+/x"]) expect(await granted(board, f)).toBe(false);
    expect(await granted(board, t.cmdAll("b1"), 1)).toBe(true);
    expect(await granted(board, t.cmd("b1", "ping"), 1)).toBe(true);
    const op = await asUser(tb.port, "otto");
    await op.publishAsync(t.cmd("b2", "reboot"), "{}", { qos: 1 });
    await op.publishAsync(t.cmd("b1", "ping"), "{}", { qos: 1 });
    expect(await until(() => got.length >= 1)).toBe(true);
    await sleep(150);
    expect(got.every((m) => m.topic === t.cmd("b1", "ping"))).toBe(true);
  });
});

describe("user ACL", () => {
  it("drops a viewer's command (acknowledged, the client kept)", async () => {
    const board = await asBoard(tb.port, "b1");
    const got = collect(board);
    await board.subscribeAsync(t.cmdAll("b1"), { qos: 1 });
    const viewer = await asUser(tb.port, "vera");
    const wasClosed = closed(viewer, 300);
    await viewer.publishAsync(t.cmd("b1", "reboot"), "{}", { qos: 1 });
    expect(await wasClosed).toBe(false);
    await sleep(150);
    expect(got).toHaveLength(0);
  });

  it("drops everyone's but the manager's publish on registry and manager topics", async () => {
    const manager = await asManager();
    const got = collect(manager);
    await manager.subscribeAsync("bbb/#", { qos: 1 });
    const topics = [t.registryHost("b1"), t.managerStatus(), t.managerResponse("x")];
    for (const topic of topics) {
      const op = await asUser(tb.port, "ada");
      const wasClosed = closed(op, 300);
      await op.publishAsync(topic, "{}", { qos: 1 });
      expect(await wasClosed).toBe(false);
    }
    await sleep(150);
    expect(got.filter((m) => topics.includes(m.topic))).toEqual([]);
  });

  it("keeps $SYS closed to non-admins and open to admins", async () => {
    const viewer = await asUser(tb.port, "otto");
    expect(await granted(viewer, "$SYS/#")).toBe(false);
    expect(await granted(viewer, "#")).toBe(false);
    const admin = await asUser(tb.port, "ada");
    const got = collect(admin);
    expect(await granted(admin, "$SYS/#")).toBe(true);
    await asUser(tb.port, "vera");
    expect(await until(() => got.some((m) => m.topic.endsWith("/new/clients")))).toBe(true);
  });

  it.skipIf(!MOSQUITTO)("lets an operator command a board with mosquitto_pub, and refuses a viewer's", async () => {
    const board = await asBoard(tb.port, "a0f6fd8b1c22");
    const got = collect(board);
    await board.subscribeAsync(t.cmdAll("a0f6fd8b1c22"), { qos: 1 });
    const ok = await mosquitto("mosquitto_pub", pubArgs("otto", t.cmd("a0f6fd8b1c22", "reboot")));
    expect(ok.code).toBe(0);
    expect(await until(() => got.length === 1)).toBe(true);
    await mosquitto("mosquitto_pub", pubArgs("vera", t.cmd("a0f6fd8b1c22", "identify")), 3000);
    await sleep(200);
    expect(got.map((m) => m.topic)).toEqual([t.cmd("a0f6fd8b1c22", "reboot")]);
  });

  it.skipIf(!MOSQUITTO)("refuses a retained command (mosquitto_pub -r) and does not store it", async () => {
    await mosquitto("mosquitto_pub", pubArgs("otto", t.cmd("b7", "reboot"), ["-r"]), 3000);
    await mosquitto("mosquitto_pub", pubArgs("ada", t.cmd("b7", "reboot"), ["-r"]), 3000);
    const board = await asBoard(tb.port, "b7");
    const got = collect(board);
    await board.subscribeAsync(t.cmdAll("b7"), { qos: 1 });
    await sleep(300);
    expect(got).toHaveLength(0);
    expect(tb.logs.some((l) => l.msg === "publish refused" && l.reason === "retained-command")).toBe(true);
  });

  it.skipIf(!MOSQUITTO)("serves mosquitto_sub for a viewer on bbb/+/result/#", async () => {
    const sub = mosquitto("mosquitto_sub", ["-h", "127.0.0.1", "-p", String(tb.port), "-u", "vera", "-P", PASSWORDS.vera, "-t", "bbb/+/result/#", "-v", "-C", "1", "-W", "5"]);
    const board = await asBoard(tb.port, "b8");
    // Publish until the subscriber (a separate process) has taken one and exited.
    let done = false;
    void sub.then(() => (done = true));
    while (!done) {
      await board.publishAsync(t.result("b8", "r1"), '{"v":1}', { qos: 1 });
      await sleep(100);
    }
    const r = await sub;
    expect(r.stdout.trim()).toBe('bbb/b8/result/r1 {"v":1}');
  });
});
