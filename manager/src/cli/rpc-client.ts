import { readFileSync } from "node:fs";
import { connect, isIP, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";

/** An error answer of the command socket, with its stable code (`error.data.code`). */
export class RpcCallError extends Error {
  constructor(
    readonly rpcCode: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: (string | number)[]; message: string }[],
  ) {
    super(message);
    this.name = "RpcCallError";
  }
}

export interface Progress {
  done: number;
  total: number;
  detail?: unknown;
}

export interface RpcClient {
  call<T = unknown>(method: string, params?: unknown, opts?: { onProgress?: (p: Progress) => void }): Promise<T>;
  /** Notifications that are not progress of a pending call (events.*). */
  onNotification(fn: (method: string, params: unknown) => void): void;
  /** Resolves when the server closes the connection. */
  closed: Promise<void>;
  close(): void;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  onProgress?: ((p: Progress) => void) | undefined;
}

const MAX_LINE = 64 * 1024 * 1024;

/** The client side of the command socket: JSON-RPC 2.0, one JSON text per line. */
export async function connectRpc(opts: {
  host: string;
  port: number;
  timeoutMs?: number;
  /** TLS verified with the CA file, else the system store (docs/protocol.md "Command socket"). */
  tls?: { ca: string | null } | null;
}): Promise<RpcClient> {
  const { tls } = opts;
  const socket: Socket = tls
    ? connectTls({
        host: opts.host,
        port: opts.port,
        ...(isIP(opts.host) ? {} : { servername: opts.host }),
        ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
      })
    : connect({ host: opts.host, port: opts.port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timeout connecting to ${opts.host}:${opts.port}`));
    }, opts.timeoutMs ?? 10_000);
    socket.once(tls ? "secureConnect" : "connect", () => {
      clearTimeout(t);
      resolve();
    });
    socket.once("error", (e) => {
      clearTimeout(t);
      reject(new Error(`cannot connect to ${opts.host}:${opts.port}: ${e.message}`));
    });
  });
  const pending = new Map<number, Pending>();
  const listeners: ((method: string, params: unknown) => void)[] = [];
  let nextId = 1;
  let buf = "";

  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };

  const onMessage = (m: Record<string, unknown>) => {
    if (typeof m.method === "string" && !("id" in m)) {
      if (m.method === "progress") {
        const p = m.params as Progress & { id?: unknown };
        const owner = typeof p?.id === "number" ? pending.get(p.id) : undefined;
        if (owner?.onProgress) owner.onProgress(p);
        return;
      }
      for (const l of listeners) l(m.method, m.params);
      return;
    }
    const id = typeof m.id === "number" ? m.id : null;
    const p = id !== null ? pending.get(id) : undefined;
    if (!p) {
      // An answer with id null: a parse error or a connection-level notice (e.g. auth timeout).
      const err = m.error as { code?: number; message?: string; data?: { code?: string } } | undefined;
      if (err) failAll(new RpcCallError(err.code ?? -32603, err.data?.code ?? "", err.message ?? "error"));
      return;
    }
    pending.delete(id as number);
    if ("error" in m) {
      const err = m.error as {
        code: number;
        message: string;
        data?: { code?: string; issues?: { path: (string | number)[]; message: string }[] };
      };
      p.reject(new RpcCallError(err.code, err.data?.code ?? "", err.message, err.data?.issues));
    } else {
      p.resolve(m.result);
    }
  };

  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buf += chunk;
    if (buf.length > MAX_LINE) {
      socket.destroy(new Error("answer too large"));
      return;
    }
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() === "") continue;
      try {
        const m: unknown = JSON.parse(line);
        if (Array.isArray(m)) m.forEach((x) => onMessage(x as Record<string, unknown>));
        else onMessage(m as Record<string, unknown>);
      } catch {
        // A line we cannot read is the server's problem, not a reason to crash the CLI.
      }
    }
  });
  const closed = new Promise<void>((resolve) => {
    socket.on("close", () => {
      failAll(new Error("connection closed by the server"));
      resolve();
    });
  });
  socket.on("error", () => {});

  return {
    call(method, params, callOpts) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        if (socket.destroyed) {
          reject(new Error("connection closed"));
          return;
        }
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: callOpts?.onProgress });
        socket.write(
          JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }) + "\n",
        );
      });
    },
    onNotification(fn) {
      listeners.push(fn);
    },
    closed,
    close() {
      socket.end();
      socket.destroy();
    },
  };
}
