/** Messages between the simulator's supervisor (sim/main.ts) and its workers (sim/worker.ts). */
export type FaultKind = "kill" | "freeze" | "flap" | "thaw" | "revive" | "steady";
export const faultKinds: readonly FaultKind[] = ["kill", "freeze", "flap", "thaw", "revive", "steady"];

export interface WorkerInit {
  type: "init";
  indices: number[];
  dir: string;
  urls: string[];
  heartbeatMs: number;
  topicRoot: string;
  secret?: string;
  /** Connects per second this worker may start (its share of the ramp). */
  rampPerSec: number;
  flapMs: number;
}
export type ToWorker = WorkerInit | { type: "fault"; kind: FaultKind; count: number } | { type: "stop" };

export interface WorkerProgress {
  type: "progress";
  total: number;
  started: number;
  connected: number;
  killed: number;
  frozen: number;
  flapping: number;
}
export type FromWorker = WorkerProgress | { type: "stopped" } | { type: "fault-done"; kind: FaultKind; ids: string[] };
