import { DEFAULT_TOPIC_ROOT } from "./constants.js";
import { boardIdSchema, requestIdSchema } from "./ids.js";
import { actionNames } from "./schemas/actions.js";

/**
 * The topic tree of docs/protocol.md §"Topic tree". Topic strings are built and parsed only here.
 */
export function createTopics(root: string = DEFAULT_TOPIC_ROOT) {
  const r = root;
  return {
    root: r,
    status: (id: string) => `${r}/${id}/status`,
    heartbeat: (id: string) => `${r}/${id}/heartbeat`,
    cmd: (id: string, action: string) => `${r}/${id}/cmd/${action}`,
    cmdAll: (id: string) => `${r}/${id}/cmd/#`,
    result: (id: string, requestId: string) => `${r}/${id}/result/${requestId}`,
    log: (id: string) => `${r}/${id}/log`,
    /** EPICS IOC health report of a board (docs/epics.md). */
    iocs: (id: string) => `${r}/${id}/iocs`,
    inventory: (id: string) => `${r}/${id}/inventory`,
    registryHost: (id: string) => `${r}/registry/hosts/${id}`,
    registryNode: (hostname: string) => `${r}/registry/nodes/${hostname}`,
    registryType: (name: string) => `${r}/registry/types/${name}`,
    registrySummary: () => `${r}/registry/summary`,
    /** Volatile heartbeat fields of many boards at once (not retained; docs/protocol.md §"Topic tree"). */
    registryVolatile: () => `${r}/registry/volatile`,
    managerStatus: () => `${r}/manager/status`,
    managerRequest: (method: string) => `${r}/manager/request/${method}`,
    managerResponse: (clientId: string) => `${r}/manager/response/${clientId}`,
    /** A reply readable only by `username`'s connections (docs/protocol.md §"Manager requests"). */
    managerReply: (username: string, replyTo: string) => `${r}/manager/response/${username}/${replyTo}`,
    /**
     * The user store the manager shares with broker replicas (retained; docs/deployment.md
     * §"Docker Swarm"). Our broker delivers it to no client (acl.ts forward); it is not a `$`
     * topic because other brokers (mosquitto) close a client that publishes one.
     */
    userStore: () => `${r}/manager/users`,
    /** Subscription filters. */
    filters: {
      allStatus: `${r}/+/status`,
      allHeartbeats: `${r}/+/heartbeat`,
      allResults: `${r}/+/result/+`,
      allLogs: `${r}/+/log`,
      allIocs: `${r}/+/iocs`,
      allInventory: `${r}/+/inventory`,
      registry: `${r}/registry/#`,
      managerRequests: `${r}/manager/request/+`,
    },
  };
}
export type Topics = ReturnType<typeof createTopics>;

export type ParsedTopic =
  | { kind: "status"; boardId: string }
  | { kind: "heartbeat"; boardId: string }
  | { kind: "cmd"; boardId: string; action: string; known: boolean }
  | { kind: "result"; boardId: string; requestId: string }
  | { kind: "log"; boardId: string }
  | { kind: "iocs"; boardId: string }
  | { kind: "inventory"; boardId: string }
  | { kind: "registry-host"; boardId: string }
  | { kind: "registry-node"; hostname: string }
  | { kind: "registry-type"; name: string }
  | { kind: "registry-summary" }
  | { kind: "registry-volatile" }
  | { kind: "manager-status" }
  | { kind: "manager-request"; method: string }
  | { kind: "manager-response"; clientId: string }
  | { kind: "manager-reply"; username: string; replyTo: string };

const actionSet: ReadonlySet<string> = new Set(actionNames);

/** Parses a topic of the tree; null for anything else (wrong root, unknown level, bad id). */
export function parseTopic(topic: string, root: string = DEFAULT_TOPIC_ROOT): ParsedTopic | null {
  const parts = topic.split("/");
  if (parts[0] !== root || parts.some((p) => p === "")) return null;
  const [, a, b, c, d] = parts;
  const n = parts.length;
  if (a === undefined || b === undefined) return null;
  if (a === "registry") {
    if (b === "summary" && n === 3) return { kind: "registry-summary" };
    if (b === "volatile" && n === 3) return { kind: "registry-volatile" };
    if (c === undefined || n !== 4) return null;
    if (b === "hosts") return { kind: "registry-host", boardId: c };
    if (b === "nodes") return { kind: "registry-node", hostname: c };
    if (b === "types") return { kind: "registry-type", name: c };
    return null;
  }
  if (a === "manager") {
    if (b === "status" && n === 3) return { kind: "manager-status" };
    if (b === "response" && n === 5 && c !== undefined && d !== undefined)
      return { kind: "manager-reply", username: c, replyTo: d };
    if (c === undefined || n !== 4) return null;
    if (b === "request") return { kind: "manager-request", method: c };
    if (b === "response") return { kind: "manager-response", clientId: c };
    return null;
  }
  if (!boardIdSchema.safeParse(a).success) return null;
  if (n === 3) {
    if (b === "status") return { kind: "status", boardId: a };
    if (b === "heartbeat") return { kind: "heartbeat", boardId: a };
    if (b === "log") return { kind: "log", boardId: a };
    if (b === "iocs") return { kind: "iocs", boardId: a };
    if (b === "inventory") return { kind: "inventory", boardId: a };
    return null;
  }
  if (n === 4 && c !== undefined) {
    if (b === "cmd") return { kind: "cmd", boardId: a, action: c, known: actionSet.has(c) };
    if (b === "result" && requestIdSchema.safeParse(c).success) return { kind: "result", boardId: a, requestId: c };
  }
  return null;
}
