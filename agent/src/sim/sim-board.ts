import type { Logger } from "pino";
import { createAgent, type Agent } from "../create-agent.js";
import { agentConfigSchema } from "../config/schema.js";
import { createFakeRoot, type FakeNetLayout, type FakeRoot } from "./fake-root.js";
import { createGate, type Gate } from "./gated-connect.js";
import { createRecordingExec, type RecordingExec } from "./recording-exec.js";
import { boardToken } from "./token.js";

export interface SimBoardOptions {
  index: number;
  dir: string;
  urls: string[];
  heartbeatMs: number;
  topicRoot: string;
  secret?: string;
  log: Logger;
}

const LAYOUTS: FakeNetLayout[] = ["connman", "networkd", "networkd", "ifupdown"];
const DEVICES = [1, 2, 3, 4, 5, 6, 7];

/** One simulated board: a fake root, a recording exec, a gated link and a real createAgent. */
export async function createSimBoard(o: SimBoardOptions) {
  const fake: FakeRoot = await createFakeRoot({
    dir: `${o.dir}/board-${o.index}`,
    index: o.index,
    layout: LAYOUTS[o.index % LAYOUTS.length],
    device: { device: DEVICES[o.index % DEVICES.length] ?? 4, details: `simulated board ${o.index}` },
  });
  const rec: RecordingExec = createRecordingExec({
    root: fake.root,
    mac: fake.mac,
    ip: fake.options.ip,
    hostname: fake.options.hostname,
    gateway: fake.options.gateway,
  });
  const config = {
    ...agentConfigSchema.parse({
      mqttUrls: o.urls,
      rootPrefix: fake.root,
      stateDir: fake.stateDir,
      heartbeatMs: o.heartbeatMs,
      topicRoot: o.topicRoot,
      services: ["bbb-function"],
      servicePollMs: 10_000,
      ...(o.secret ? { token: boardToken(o.secret, fake.boardId) } : {}),
    }),
    boardId: fake.boardId,
  };
  let gate: Gate = createGate();
  const make = (): Agent =>
    createAgent({ config, log: o.log, exec: rec.exec, connect: gate.connect, interfaces: rec.interfaces });
  let agent = make();
  let state: "idle" | "running" | "killed" | "frozen" = "idle";
  return {
    id: fake.boardId,
    index: o.index,
    state: () => state,
    connected: () => agent.isConnected(),
    async start() {
      await agent.start();
      state = "running";
    },
    kill() {
      gate.kill();
      agent.setFrozen(true);
      state = "killed";
    },
    freeze() {
      gate.freeze();
      agent.setFrozen(true);
      state = "frozen";
    },
    thaw() {
      gate.thaw();
      agent.setFrozen(false);
      state = "running";
    },
    cut: () => gate.cut(),
    /** A killed board comes back as a fresh process: new session, birth, heartbeats. */
    async revive() {
      await agent.stop();
      gate.close();
      gate = createGate();
      agent = make();
      await agent.start();
      state = "running";
    },
    async stop() {
      if (state === "running") await agent.stop();
      else {
        gate.close();
        await agent.stop();
      }
      gate.close();
      state = "idle";
    },
    cleanup: () => fake.cleanup(),
  };
}
export type SimBoard = Awaited<ReturnType<typeof createSimBoard>>;
