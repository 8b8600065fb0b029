import type { BoardState, BoardType, ErrorInfo, HostView, LogLine, ManagerStatus, NodeView, ResultStatus, Summary } from "@bbb/shared";

export interface StateChange {
  id: string;
  hostname: string | null;
  from: BoardState;
  to: BoardState;
  /** When the manager says the new state began. */
  at: number;
}

/** One command on one board as this console knows it: sent by us, or seen on its result topic. */
export interface CommandEntry {
  requestId: string | null;
  boardId: string;
  action: string;
  status: ResultStatus | "sent";
  progress: number | null;
  exitCode: number | null;
  output: string | null;
  error: ErrorInfo | null;
  data: Record<string, unknown> | null;
  by: string | null;
  runId: string | null;
  sentAt: number | null;
  updatedAt: number;
}

export interface LogEntry extends Pick<LogLine, "level" | "msg" | "ts"> {
  at: number;
}

export interface Sample {
  t: number;
  uptime: number;
  load1: number | null;
  tempC: number | null;
}

export interface FleetState {
  hosts: ReadonlyMap<string, HostView>;
  nodes: ReadonlyMap<string, NodeView>;
  types: ReadonlyMap<string, BoardType>;
  summary: Summary | null;
  manager: ManagerStatus | null;
  /** Latest state changes, newest first. */
  changes: readonly StateChange[];
  /** Per board, newest first. */
  commands: ReadonlyMap<string, readonly CommandEntry[]>;
  /** Per board, oldest first. */
  logs: ReadonlyMap<string, readonly LogEntry[]>;
  /** Per board, oldest first: uptime / load / temperature seen this session. */
  samples: ReadonlyMap<string, readonly Sample[]>;
}

export const LIMITS = {
  changes: 200,
  commandsPerBoard: 50,
  logsPerBoard: 300,
  /** Sparklines cover the last hour. */
  sampleWindowMs: 3_600_000,
  /** Every board gets a sample a minute; boards whose detail is open get every update. */
  sampleSpacingMs: 60_000,
  watchedSpacingMs: 1_000,
} as const;

export function emptyFleetState(): FleetState {
  return {
    hosts: new Map(),
    nodes: new Map(),
    types: new Map(),
    summary: null,
    manager: null,
    changes: [],
    commands: new Map(),
    logs: new Map(),
    samples: new Map(),
  };
}
