import type { BoardType, HostsVolatile, HostView, LogLine, ManagerStatus, NodeView, Result, Summary } from "@bbb/shared";

/** What the reducer consumes: decoded wire messages and local facts, all plain data. */
export type FleetEvent =
  | { kind: "host"; id: string; view: HostView | null }
  /** Volatile heartbeat fields of boards already known (`registry/volatile`). */
  | { kind: "volatile"; hosts: HostsVolatile["hosts"] }
  | { kind: "node"; hostname: string; view: NodeView | null }
  | { kind: "type"; name: string; type: BoardType | null }
  | { kind: "summary"; summary: Summary | null }
  | { kind: "manager"; status: ManagerStatus | null }
  | { kind: "result"; boardId: string; result: Result; at: number }
  | { kind: "log"; boardId: string; line: LogLine; at: number }
  /** A command this console sent (so its run shows who and when before the first result). */
  | { kind: "sent"; boardId: string; requestId: string | null; action: string; by: string; at: number; runId: string | null };
