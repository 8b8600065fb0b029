import { boardIdSchema, createTopics, requestIdSchema, type Role } from "@bbb/shared";

/** Every role a connection can hold: the three user roles plus the board agent and the manager. */
export type BrokerRole = Role | "agent" | "manager";

/**
 * Who is behind one connection, with the topics an agent may use computed once at CONNECT so
 * the per-message hooks are plain string comparisons (10,000 heartbeats/s at scale).
 */
export interface Identity {
  readonly role: BrokerRole;
  readonly username: string;
  readonly clientId: string;
  readonly statusTopic: string;
  readonly heartbeatTopic: string;
  readonly logTopic: string;
  readonly iocsTopic: string;
  readonly inventoryTopic: string;
  readonly resultPrefix: string;
  readonly cmdPrefix: string;
}

export type PublishVerdict = { readonly ok: true; readonly stamp: boolean } | { readonly ok: false; readonly reason: string };

// Verdicts are constants: deciding allocates nothing.
const ALLOW: PublishVerdict = { ok: true, stamp: false };
const STAMP: PublishVerdict = { ok: true, stamp: true };
const deny = (reason: string): PublishVerdict => ({ ok: false, reason });
const D_RESERVED = deny("reserved-topic");
const D_OUTSIDE = deny("outside-root");
const D_NOT_OWN = deny("not-own-topic");
const D_RETAINED = deny("retain-not-allowed");
const D_RETAINED_CMD = deny("retained-command");
const D_READ_ONLY = deny("viewer-read-only");
const D_NOT_ALLOWED = deny("not-allowed");

const SYS_PREFIX = "$SYS/";

/** True when `topic` has exactly one non-empty, wildcard-free level after `from`. */
function singleLevelAfter(topic: string, from: number): boolean {
  if (topic.length <= from) return false;
  for (let i = from; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 47 /* / */ || c === 43 /* + */ || c === 35 /* # */) return false;
  }
  return true;
}

/**
 * The access policy of docs/protocol.md §"Authentication and ACL", as pure functions of (identity, topic).
 * Topics are decided by cheap splitting equivalent to parseTopic of @bbb/shared.
 */
export function createAcl(root: string) {
  const rootPrefix = `${root}/`;
  const requestPrefix = `${root}/manager/request/`;
  const responsePrefix = `${root}/manager/response/`;
  const userStoreTopic = createTopics(root).userStore();
  const typesPrefix = `${root}/registry/types/`;

  function identity(role: BrokerRole, username: string, clientId: string): Identity {
    const b = `${root}/${username}/`;
    const agent = role === "agent";
    return {
      role,
      username,
      clientId,
      statusTopic: agent ? `${b}status` : "",
      heartbeatTopic: agent ? `${b}heartbeat` : "",
      logTopic: agent ? `${b}log` : "",
      iocsTopic: agent ? `${b}iocs` : "",
      inventoryTopic: agent ? `${b}inventory` : "",
      resultPrefix: agent ? `${b}result/` : "",
      cmdPrefix: agent ? `${b}cmd/` : "",
    };
  }

  /** Index just after `<root>/<boardId>/cmd/` when the topic is a command topic, else -1. */
  function commandActionStart(topic: string): number {
    const slash = topic.indexOf("/", rootPrefix.length);
    if (slash <= rootPrefix.length || !topic.startsWith("cmd/", slash + 1)) return -1;
    return slash + 5;
  }

  /** `<root>/<valid board id>/cmd/<action>` exactly. Only user commands get here: rare, so zod is fine. */
  function isExactCommand(topic: string): boolean {
    const start = commandActionStart(topic);
    if (start < 0 || !singleLevelAfter(topic, start)) return false;
    return boardIdSchema.safeParse(topic.slice(rootPrefix.length, start - 5)).success;
  }

  function publish(id: Identity, topic: string, retain: boolean): PublishVerdict {
    if (topic.charCodeAt(0) === 36 /* $ */) return D_RESERVED;
    if (!topic.startsWith(rootPrefix)) return D_OUTSIDE;
    switch (id.role) {
      case "agent":
        if (topic === id.heartbeatTopic || topic === id.statusTopic || topic === id.iocsTopic || topic === id.inventoryTopic) return ALLOW;
        if (topic === id.logTopic) return retain ? D_RETAINED : ALLOW;
        if (topic.startsWith(id.resultPrefix) && requestIdSchema.safeParse(topic.slice(id.resultPrefix.length)).success) {
          return retain ? D_RETAINED : ALLOW;
        }
        return D_NOT_OWN;
      case "manager":
        // A retained command would fire again at every reconnect of the board: refused for everyone.
        if (retain && commandActionStart(topic) >= 0) return D_RETAINED_CMD;
        return ALLOW;
      case "viewer":
      case "operator":
      case "admin":
        if (topic.startsWith(requestPrefix)) {
          if (!singleLevelAfter(topic, requestPrefix.length)) return D_NOT_ALLOWED;
          return retain ? D_RETAINED : STAMP;
        }
        if (commandActionStart(topic) >= 0) {
          if (retain) return D_RETAINED_CMD;
          if (id.role === "viewer") return D_READ_ONLY;
          return isExactCommand(topic) ? ALLOW : D_NOT_ALLOWED;
        }
        return id.role === "viewer" ? D_READ_ONLY : D_NOT_ALLOWED;
    }
  }

  function subscribe(id: Identity, filter: string): boolean {
    switch (id.role) {
      case "agent":
        // Its type's retained declaration (the IOCs to check, docs/epics.md): one type, read only.
        if (filter.startsWith(typesPrefix)) return singleLevelAfter(filter, typesPrefix.length);
        if (!filter.startsWith(id.cmdPrefix)) return false;
        if (filter.length === id.cmdPrefix.length + 1) {
          const c = filter.charCodeAt(id.cmdPrefix.length);
          if (c === 35 /* # */ || c === 43 /* + */) return true;
        }
        return singleLevelAfter(filter, id.cmdPrefix.length);
      case "admin":
        return filter.startsWith(rootPrefix) || filter.startsWith(SYS_PREFIX);
      case "viewer":
      case "operator":
      case "manager":
        return filter.startsWith(rootPrefix);
    }
  }

  /**
   * docs/protocol.md §"Manager requests": a request (it may carry a token or a password) reaches
   * only the manager; the shared user store no client at all; `<root>/manager/response/<clientId>` only the client with that id;
   * `<root>/manager/response/<username>/<replyTo>` only that user's connections.
   */
  function forward(id: Identity, topic: string): boolean {
    // The user store's hashes are for the replicas' in-process subscribers only.
    if (topic === userStoreTopic) return false;
    if (topic.startsWith(requestPrefix)) return id.role === "manager";
    if (!topic.startsWith(responsePrefix)) return true;
    const rest = topic.slice(responsePrefix.length);
    const slash = rest.indexOf("/");
    return slash < 0 ? rest === id.clientId : id.role !== "agent" && rest.slice(0, slash) === id.username;
  }

  /** The will is published by the broker on the client's behalf: it must pass the same rules, and an agent's is its own status. */
  function will(id: Identity, topic: string, retain: boolean): boolean {
    if (id.role === "agent") return topic === id.statusTopic;
    const v = publish(id, topic, retain);
    return v.ok && !v.stamp;
  }

  return { identity, publish, subscribe, forward, will, rootPrefix };
}
export type Acl = ReturnType<typeof createAcl>;
