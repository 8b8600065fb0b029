import type { Socket } from "node:net";
import type { Logger } from "pino";
import type { EventBus, RegistryEvent } from "../../service/events.js";
import type { CallContext, MethodTable } from "../../service/method.js";
import type { LoginThrottle } from "@bbb/shared";
import type { AuditSink } from "../../service/audit.js";
import type { Principal } from "../auth-types.js";
import { ManagerErrors } from "../../errors.js";
import { invokeMethod } from "../invoke.js";
import { createLineSplitter } from "./line-splitter.js";
import {
  notification,
  parseErrorResponse,
  rpcAppError,
  rpcError,
  rpcResult,
  rpcRequestSchema,
  salvageId,
  type RpcResponse,
} from "./jsonrpc.js";
import type { RpcSocketLimits } from "./limits.js";
import { handleAuth, type AuthDeps } from "./builtin-auth.js";
import { openRpcDocument } from "./openrpc.js";
import { handleSubscribe, listMethods } from "./builtin-events.js";
import type { ConnState } from "./conn-state.js";

export interface ConnectionDeps extends AuthDeps {
  /** Records mutating calls (service/audit.ts). */
  audit?: AuditSink;
  socket: Socket;
  methods: MethodTable;
  events: EventBus | undefined;
  throttle: LoginThrottle;
  log: Logger;
  limits: RpcSocketLimits;
  /** Serialised notification of an event, computed once for all connections. */
  serialize: (e: RegistryEvent) => string;
}

/**
 * One client of the command socket: reads lines, answers them in order (a pipelined `auth` is
 * done before the next line runs), streams events and progress, and drops itself when its
 * unsent output passes the limit, so a stalled reader never holds memory or other clients up.
 */
export interface LiveConnection {
  closed: Promise<void>;
  destroy(): void;
  /** Who authenticated on it, if anyone yet. */
  principal(): Principal | null;
}

export function createConnection(deps: ConnectionDeps): LiveConnection {
  const { socket, limits, log } = deps;
  const abort = new AbortController();
  // Lines and over-long-line markers, answered strictly in arrival order.
  const queue: ({ line: string | null } | { overflow: number })[] = [];
  let busy = false;
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const state: ConnState = {
    principal: null,
    authFailures: 0,
    unsubscribe: null,
    peer: `${socket.remoteAddress ?? "?"}`,
    closed: abort.signal,
    sendRaw(line, kind = "notification") {
      if (socket.destroyed || !socket.writable) return;
      const after = socket.writableLength + (kind === "notification" ? line.length : 0);
      if (after > limits.maxBufferedBytes) {
        log.warn(
          { peer: state.peer, user: state.principal?.username, buffered: socket.writableLength },
          "client too slow, disconnecting",
        );
        socket.destroy();
        return;
      }
      socket.write(line + "\n");
    },
    end() {
      socket.end();
    },
  };

  const send = (r: RpcResponse | RpcResponse[]) => {
    let text: string;
    try {
      text = JSON.stringify(r);
    } catch (e: unknown) {
      log.error({ err: e }, "response not serialisable");
      const id = Array.isArray(r) ? null : r.id;
      text = JSON.stringify(rpcError(id, ManagerErrors.INTERNAL, "internal error"));
    }
    state.sendRaw(text, "answer");
  };

  const authTimer = setTimeout(() => {
    if (state.principal) return;
    send(rpcError(null, ManagerErrors.UNAUTHENTICATED, "authentication timeout"));
    socket.end();
  }, limits.authTimeoutMs);

  async function handleMessage(msg: unknown): Promise<RpcResponse | null> {
    const parsed = rpcRequestSchema.safeParse(msg);
    if (!parsed.success) {
      return rpcError(salvageId(msg), ManagerErrors.INVALID_REQUEST, "invalid request");
    }
    const req = parsed.data;
    const isNotification = req.id === undefined;
    const id = req.id ?? null;
    const answer = (r: RpcResponse) => (isNotification ? null : r);
    if (Array.isArray(req.params)) {
      return answer(rpcError(id, ManagerErrors.INVALID_PARAMS, "params must be an object (by name)"));
    }
    if (req.method === "auth") return answer(await handleAuth(deps, state, id, req.params));
    // Public like GET /api/openapi.json: names and schemas, nothing of the fleet.
    if (req.method === "rpc.discover") return answer(rpcResult(id, openRpcDocument(deps.methods, log)));
    const principal = state.principal;
    if (!principal) return answer(rpcError(id, ManagerErrors.UNAUTHENTICATED, "authenticate first: call auth"));
    if (req.method === "events.subscribe" || req.method === "events.unsubscribe") {
      return answer(handleSubscribe(deps, state, id, req.method, req.params));
    }
    if (req.method === "methods.list") return answer(listMethods(deps.methods, principal, id));
    const ctx: CallContext = {
      username: principal.username,
      role: principal.role,
      via: "socket",
      peer: state.peer,
      signal: abort.signal,
      ...(deps.audit ? { audit: deps.audit } : {}),
    };
    if (!isNotification) {
      ctx.onProgress = (p) => state.sendRaw(notification("progress", { id, ...p }));
    }
    const out = await invokeMethod(deps.methods, req.method, req.params, ctx, log);
    return answer(out.ok ? { jsonrpc: "2.0", id, result: out.data } : rpcAppError(id, out.error));
  }

  async function handleLine(line: string | null): Promise<void> {
    if (line === null) {
      send(parseErrorResponse("line is not valid UTF-8"));
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      send(parseErrorResponse());
      return;
    }
    if (!Array.isArray(msg)) {
      const r = await handleMessage(msg);
      if (r) send(r);
      return;
    }
    if (msg.length === 0 || msg.length > limits.maxBatch) {
      const why = msg.length === 0 ? "empty batch" : `batch larger than ${limits.maxBatch}`;
      send(rpcError(null, ManagerErrors.INVALID_REQUEST, why));
      return;
    }
    const out: RpcResponse[] = [];
    for (const m of msg) {
      const r = await handleMessage(m);
      if (r) out.push(r);
    }
    if (out.length > 0) send(out);
  }

  let peerEnded = false;

  async function pump(): Promise<void> {
    if (busy) return;
    busy = true;
    try {
      while (queue.length > 0 && !socket.destroyed) {
        const item = queue.shift() as { line: string | null } | { overflow: number };
        try {
          if ("line" in item) await handleLine(item.line);
          else send(parseErrorResponse(`line of ${item.overflow} bytes exceeds ${limits.maxLineBytes}, discarded`));
        } catch (e: unknown) {
          log.error({ err: e }, "socket line failed");
          send(rpcError(null, ManagerErrors.INTERNAL, "internal error"));
        }
        if (socket.isPaused() && queue.length < limits.maxPendingLines / 2) socket.resume();
      }
    } finally {
      busy = false;
    }
    // The peer half-closed (docs/protocol.md "Command socket"): every reply is out, now close.
    if (peerEnded && queue.length === 0 && !socket.destroyed) socket.end();
  }

  const splitter = createLineSplitter(
    limits.maxLineBytes,
    (line) => {
      queue.push({ line });
      if (queue.length >= limits.maxPendingLines) socket.pause();
      void pump();
    },
    (bytes) => {
      // Answered in order with the other lines; the connection stays usable.
      queue.push({ overflow: bytes });
      void pump();
    },
  );

  socket.setNoDelay(true);
  socket.setKeepAlive(true, 30_000);
  if (limits.idleTimeoutMs > 0) {
    socket.setTimeout(limits.idleTimeoutMs, () => {
      if (state.principal) socket.destroy();
    });
  }
  socket.on("data", (chunk: Buffer) => splitter.push(chunk));
  // The server allows half-open sockets: a client that sends its requests and shuts its side
  // (`printf … | socat - TCP:…`) still gets every reply, in order, before the server closes.
  socket.on("end", () => {
    splitter.end();
    peerEnded = true;
    void pump();
  });
  socket.on("error", (e: unknown) => log.debug({ err: e, peer: state.peer }, "socket error"));
  socket.on("close", () => {
    clearTimeout(authTimer);
    abort.abort();
    state.unsubscribe?.();
    state.unsubscribe = null;
    queue.length = 0;
    resolveClosed();
  });

  return {
    closed,
    destroy() {
      socket.destroy();
    },
    principal: () => state.principal,
  };
}
