import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "pino";
import { agentConfigSchema } from "../config/schema.js";
import { createAgent, type AgentDeps } from "../create-agent.js";
import { createFakeRoot, type FakeRootOptions } from "./fake-root.js";
import { createRecordingExec } from "./recording-exec.js";

export interface LiveBoardOptions extends FakeRootOptions {
  mqttUrl: string;
  /** The board's broker password (deriveBoardToken of the fleet secret). */
  token: (boardId: string) => string;
  connect: AgentDeps["connect"];
  log: Logger;
  heartbeatMs?: number;
  /** How long a reboot keeps the board away (the shutdown, the boot, the agent starting). */
  rebootDownMs?: number;
  backoff?: AgentDeps["backoff"];
}

/**
 * A simulated board that behaves like one under commands: the real agent on a fake root with a
 * recording exec, where a reboot stops the agent (its clean `offline`), keeps the board away for
 * `rebootDownMs` and starts a new agent (a new session) with the uptime back near zero, and a
 * set-ip or set-hostname shows in the next heartbeats (the recording exec keeps the live
 * address). The demo and the browser tests run these, so every dashboard flow can be tried.
 */
export async function createLiveBoard(o: LiveBoardOptions) {
  const root = await createFakeRoot(o);
  const rebootDownMs = o.rebootDownMs ?? 4000;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const exec = createRecordingExec({
    root: root.root, mac: root.mac, hostname: root.options.hostname, ip: root.options.ip,
    netmask: root.options.netmask, gateway: root.options.gateway,
    // After `systemctl reboot` returns (the agent has sent its final result): go down, come back.
    onReboot: () => later(50, () => void reboot()),
  });
  const config = {
    ...agentConfigSchema.parse({
      mqttUrls: [o.mqttUrl], token: o.token(root.boardId), rootPrefix: root.root, stateDir: root.stateDir, logLevel: "silent",
      ...(o.heartbeatMs ? { heartbeatMs: o.heartbeatMs } : {}),
    }),
    boardId: root.boardId,
  };
  let agent: ReturnType<typeof createAgent> | null = null;
  let stopped = false;
  const board = {
    boardId: root.boardId,
    root,
    exec,
    up: false,
    reboots: 0,
    async start() {
      // A new agent per start: a new session, as after a real boot.
      agent = createAgent({ config, log: o.log, exec: exec.exec, connect: o.connect, interfaces: exec.interfaces, ...(o.backoff ? { backoff: o.backoff } : {}) });
      await agent.start();
      board.up = true;
    },
    async stop() {
      board.up = false;
      const a = agent;
      agent = null;
      await a?.stop();
    },
    /** Stops for good (tests, demo shutdown): pending reboots are cancelled. */
    async close() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await board.stop();
    },
  };
  async function reboot() {
    if (stopped || !board.up) return;
    board.reboots++;
    await board.stop();
    await writeFile(join(root.root, "proc/uptime"), `${Math.max(1, Math.round(rebootDownMs / 1000))}.05 0.50\n`);
    later(rebootDownMs, () => {
      if (!stopped && !board.up) board.start().catch((err: unknown) => o.log.warn({ err, boardId: root.boardId }, "simulated boot failed"));
    });
  }
  return board;
}
export type LiveBoard = Awaited<ReturnType<typeof createLiveBoard>>;
