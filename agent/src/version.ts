/** Reported as `agentVersion` in the heartbeat; kept equal to agent/package.json's version. */
export const AGENT_VERSION = "0.1.0";
