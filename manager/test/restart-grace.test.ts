import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt, { type MqttClient } from "mqtt";
import { decodePayload, hostsVolatileSchema, hostViewSchema, type HostView } from "@bbb/shared";
import { ADMIN_PASSWORD, FLEET_SECRET, REPO, freePort, startSimBoard, topics, waitFor, type SimBoard } from "./helpers.js";

/**
 * docs/protocol.md §"Liveness": the all-in-one server (as users run it) is SIGKILLed and started
 * again on the same data dir and port while real agents keep running. Boards that come back are
 * never shown `lost`; a board that died meanwhile waits with `awaiting-reconnect` in its last
 * state, and is `lost` (reason not-reconnected) only after the restart grace.
 */
const MAIN = join(REPO, "manager/dist/main.js");
const GRACE_MS = 30_000;

describe.skipIf(!existsSync(MAIN))("server restart grace (needs `npx tsc -b`)", () => {
  let dataDir: string;
  let port: number;
  let httpPort: number;
  let server: ChildProcess | null = null;
  let watcher: MqttClient;
  const boards: SimBoard[] = [];
  // Every view seen per board, in order, with the time it arrived.
  const seen = new Map<string, (HostView & { at: number })[]>();
  const last = (id: string) => seen.get(id)?.at(-1);
  const volatileSeen = new Set<string>();

  const start = () =>
    spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        BBB_DATA_DIR: dataDir,
        BBB_MQTT_PORT: String(port),
        BBB_HTTP_PORT: String(httpPort),
        BBB_CMD_PORT: "0",
        BBB_SFTP_PORT: "0",
        BBB_BIND: "127.0.0.1",
        BBB_FLEET_SECRET: FLEET_SECRET,
        BBB_ADMIN_PASSWORD: ADMIN_PASSWORD,
        BBB_RESTART_GRACE_MS: String(GRACE_MS),
        BBB_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
  const lostSince = async (since: number) => {
    const auth = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/history?kind=state-change&since=${since}`, {
      headers: { authorization: auth },
    });
    const body = (await res.json()) as { items: { boardId: string; data: { to: string; reason: string } }[] };
    return body.items.filter((e) => e.data.to === "lost");
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `bbb-restart-grace-${process.pid}-`));
    port = await freePort();
    httpPort = await freePort();
    server = start();
    // The watcher follows the server across its restart (it reconnects and gets the retained views).
    watcher = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
      username: "admin",
      password: ADMIN_PASSWORD,
      clientId: `restart-grace-${process.pid}`,
      reconnectPeriod: 200,
      connectTimeout: 2000,
      protocolVersion: 4,
    });
    watcher.on("message", (topic, payload) => {
      if (topic === topics.registryVolatile()) {
        const d = decodePayload(hostsVolatileSchema, payload, 1 << 20);
        if (d.ok) for (const h of d.value.hosts) volatileSeen.add(h.id);
        return;
      }
      const id = topic.slice(topic.lastIndexOf("/") + 1);
      if (payload.byteLength === 0) return;
      const v = hostViewSchema.parse(JSON.parse(payload.toString()));
      seen.set(id, [...(seen.get(id) ?? []), { ...v, at: Date.now() }]);
    });
    watcher.on("connect", () => void watcher.subscribe([`${topics.root}/registry/hosts/+`, topics.registryVolatile()], { qos: 1 }));
    await waitFor(() => watcher.connected, 20_000, "server up");
    for (let i = 0; i < 4; i++) boards.push(await startSimBoard(`mqtt://127.0.0.1:${port}`, 700 + i));
  }, 60_000);

  afterAll(async () => {
    for (const b of boards) await b.stop().catch(() => undefined);
    watcher?.end(true);
    server?.kill("SIGKILL");
    for (const b of boards) await b.root.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("brings back every live board without a lost, and declares the dead one lost only after the grace", async () => {
    const [dead, ...live] = boards as [SimBoard, ...SimBoard[]];
    await waitFor(() => boards.every((b) => last(b.boardId)?.state === "unregistered"), 20_000, "boards online");
    // Between whole views, their volatile fields go out on registry/volatile (docs/protocol.md §"Topic tree").
    await waitFor(() => boards.every((b) => volatileSeen.has(b.boardId)), 20_000, "registry/volatile entries");
    const before = new Map(boards.map((b) => [b.boardId, last(b.boardId)?.stateSince]));
    // The store writes state changes in batches of 200 ms.
    await new Promise((r) => setTimeout(r, 600));

    const killedAt = Date.now();
    server?.kill("SIGKILL");
    await new Promise((r) => server?.once("exit", r));
    await dead.stop();
    server = start();

    // Every live board is back in its state, with the same stateSince, and was never shown lost.
    await waitFor(
      () => live.every((b) => last(b.boardId)?.state === "unregistered" && (last(b.boardId)?.problems.length ?? 1) === 0 && (last(b.boardId)?.at ?? 0) > killedAt),
      30_000,
      "live boards back",
    );
    for (const b of live) {
      const after = (seen.get(b.boardId) ?? []).filter((v) => v.at > killedAt);
      expect(after.map((v) => v.state)).not.toContain("lost");
      expect(last(b.boardId)?.stateSince).toBe(before.get(b.boardId));
    }
    // The dead board waits in its last state: not lost before the grace is over. Its view is
    // published when the restarted manager has settled (the live boards may be back before).
    const waiting = await waitFor(() => ((last(dead.boardId)?.at ?? 0) > killedAt ? last(dead.boardId) : null), 10_000, "dead board's view");
    expect(waiting?.state).toBe("unregistered");
    expect(waiting?.problems.map((p) => p.code)).toEqual(["awaiting-reconnect"]);
    expect(waiting?.stateSince).toBe(before.get(dead.boardId));

    const lostView = await waitFor(() => (last(dead.boardId)?.state === "lost" ? last(dead.boardId) : null), GRACE_MS + 15_000, "dead board lost");
    expect(lostView.problems).toEqual([]);
    const lost = await lostSince(killedAt);
    expect(lost.map((e) => [e.boardId, e.data.reason])).toEqual([[dead.boardId, "not-reconnected"]]);
  }, 120_000);
});
