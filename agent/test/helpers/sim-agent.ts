import mqtt from "mqtt";
import { pino } from "pino";
import { createAgent, type AgentDeps } from "../../src/create-agent.js";
import { agentConfigSchema, type AgentConfigInput } from "../../src/config/schema.js";
import { createFakeRoot, type FakeRootOptions } from "../../src/sim/fake-root.js";
import { createRecordingExec, type RecordingExecOptions } from "../../src/sim/recording-exec.js";

/** A full createAgent over a fake root and a recording exec, for integration tests. */
export function startSimAgent(url: string, cfg: Partial<AgentConfigInput> = {}, rootOpts: FakeRootOptions = {}) {
  return startSimAgentWith(url, {}, cfg, rootOpts);
}

export async function startSimAgentWith(
  url: string,
  extra: Partial<Pick<AgentDeps, "projectSync" | "random" | "backoff">> & {
    /** Answers some argv differently (the recording exec's override). */
    override?: RecordingExecOptions["override"];
  },
  cfg: Partial<AgentConfigInput> = {},
  rootOpts: FakeRootOptions = {},
) {
  const fake = await createFakeRoot(rootOpts);
  const rec = createRecordingExec({
    root: fake.root,
    mac: fake.mac,
    ip: fake.options.ip,
    hostname: fake.options.hostname,
    gateway: fake.options.gateway,
    ...(extra.override ? { override: extra.override } : {}),
  });
  const config = {
    ...agentConfigSchema.parse({
      mqttUrls: [url],
      rootPrefix: fake.root,
      stateDir: fake.stateDir,
      heartbeatMs: 200,
      services: ["bbb-function"],
      ...cfg,
    }),
    boardId: cfg.boardId ?? fake.boardId,
  };
  const log = pino({ level: process.env.TEST_LOG ?? "silent" });
  const agent = createAgent({
    config,
    log,
    exec: rec.exec,
    connect: mqtt.connect,
    interfaces: rec.interfaces,
    ...(extra.projectSync ? { projectSync: extra.projectSync } : {}),
    ...(extra.random ? { random: extra.random } : {}),
    ...(extra.backoff ? { backoff: extra.backoff } : {}),
  });
  await agent.start();
  return {
    agent,
    fake,
    rec,
    config,
    async stop() {
      await agent.stop();
    },
    async cleanup() {
      await agent.stop();
      await fake.cleanup();
    },
  };
}
