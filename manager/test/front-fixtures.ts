import { pino } from "pino";
import { boardStateSchema, roleSchema, type Role } from "@bbb/shared";
import { z } from "zod";
import { defineMethod, type MethodDef, type MethodTable } from "../src/service/method.js";

/** A small but real method table (zod schemas, handlers, errors with codes) for front-door tests. */
export const silentLog = pino({ level: "silent" });

export const USERS: Record<string, { password: string; role: Role }> = {
  viewer: { password: "view-pw", role: "viewer" },
  operator: { password: "op-pw", role: "operator" },
  admin: { password: "admin-pw", role: "admin" },
};

export async function authenticate(username: string, password: string): Promise<Role | null> {
  const u = USERS[username];
  return u && u.password === password ? u.role : null;
}

class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const hostSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  state: boardStateSchema,
  sector: z.string().nullable(),
  type: z.string().nullable(),
});
type Host = z.infer<typeof hostSchema>;

export function makeHosts(n: number, opts: { sector?: string; failEvery?: number } = {}): Host[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `b${String(i).padStart(4, "0")}`,
    hostname: `host-${i}`,
    state: i % 3 === 0 ? "lost" : "online",
    sector: opts.sector ?? String((i % 4) + 1),
    type: i % 2 === 0 ? "mbtemp" : "power-supply",
  }));
}

const outcomeSchema = z.object({
  boardId: z.string(),
  status: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export function makeMethods(
  opts: { hosts?: Host[]; failBoards?: Set<string> } = {},
): MethodTable & Map<string, MethodDef> {
  const hosts = opts.hosts ?? makeHosts(12);
  const types = new Map<string, { name: string; description: string }>();
  const fail = opts.failBoards ?? new Set<string>();
  const defs: MethodDef[] = [
    defineMethod({
      name: "hosts.list",
      description: "List boards.",
      role: "viewer",
      params: z
        .object({
          state: z.array(boardStateSchema).optional(),
          sector: z.string().optional(),
          type: z.string().optional(),
          limit: z.number().int().positive().optional(),
        })
        .strict(),
      result: z.array(hostSchema),
      http: { method: "GET", path: "/hosts" },
      handler: (p) =>
        hosts
          .filter(
            (h) =>
              (!p.state || p.state.includes(h.state)) &&
              (!p.sector || h.sector === p.sector) &&
              (!p.type || h.type === p.type),
          )
          .slice(0, p.limit ?? Infinity),
    }),
    defineMethod({
      name: "hosts.get",
      description: "One board.",
      role: "viewer",
      params: z.object({ id: z.string().min(1) }).strict(),
      result: hostSchema,
      http: { method: "GET", path: "/hosts/{id}" },
      handler: (p) => {
        const h = hosts.find((x) => x.id === p.id);
        if (!h) throw new CodedError("MGR_E_NOT_FOUND", `no board ${p.id}`);
        return h;
      },
    }),
    defineMethod({
      name: "hosts.command",
      description: "Send an action to boards.",
      role: "operator",
      params: z
        .object({
          action: z.string().min(1),
          args: z.record(z.string(), z.unknown()).optional(),
          boardIds: z.array(z.string()).optional(),
          filter: z
            .object({
              state: z.array(boardStateSchema).optional(),
              sector: z.string().optional(),
              type: z.string().optional(),
            })
            .strict()
            .optional(),
        })
        .strict(),
      result: z.object({ runId: z.string(), results: z.array(outcomeSchema) }),
      http: { method: "POST", path: "/hosts/command" },
      handler: async (p, ctx) => {
        const targets = p.boardIds
          ? p.boardIds
          : hosts
              .filter(
                (h) =>
                  (!p.filter?.sector || h.sector === p.filter.sector) &&
                  (!p.filter?.state || p.filter.state.includes(h.state)),
              )
              .map((h) => h.id);
        const results = [];
        for (const [i, id] of targets.entries()) {
          await new Promise((r) => setImmediate(r));
          ctx.onProgress?.({ done: i + 1, total: targets.length, detail: { boardId: id } });
          results.push(
            fail.has(id)
              ? { boardId: id, status: "failed", error: { code: "AGENT_E_EXEC", message: "exit 1" } }
              : { boardId: id, status: "succeeded" },
          );
        }
        return { runId: "run-1", results };
      },
    }),
    defineMethod({
      name: "types.upsert",
      description: "Create or replace a type.",
      role: "operator",
      params: z
        .object({
          name: z.string().regex(/^[a-z-]+$/),
          description: z.string().default(""),
          create: z.boolean().default(false),
        })
        .strict(),
      result: z.object({ name: z.string(), description: z.string() }),
      http: { method: "PUT", path: "/types/{name}" },
      handler: (p) => {
        if (p.create && types.has(p.name)) throw new CodedError("MGR_E_CONFLICT", `type ${p.name} exists`);
        const t = { name: p.name, description: p.description };
        types.set(p.name, t);
        return t;
      },
    }),
    defineMethod({
      name: "types.remove",
      description: "Remove a type.",
      role: "operator",
      params: z.object({ name: z.string() }).strict(),
      result: z.object({ removed: z.boolean() }),
      http: { method: "DELETE", path: "/types/{name}" },
      handler: (p) => ({ removed: types.delete(p.name) }),
    }),
    defineMethod({
      name: "users.list",
      description: "Users.",
      role: "admin",
      params: z.object({}).strict(),
      result: z.array(z.object({ username: z.string(), role: roleSchema })),
      http: { method: "GET", path: "/users" },
      handler: () => Object.entries(USERS).map(([username, u]) => ({ username, role: u.role })),
    }),
    defineMethod({
      name: "server.boom",
      description: "Fails with an internal error.",
      role: "viewer",
      params: z.object({}).strict(),
      result: z.null(),
      http: { method: "POST", path: "/boom" },
      handler: () => {
        throw new Error("SQLITE_CORRUPT at /secret/path/db.sqlite");
      },
    }),
  ];
  return new Map(defs.map((d) => [d.name, d]));
}

import { connect, type Socket } from "node:net";

/** A raw line client: what socat does, with a way to wait for the next matching message. */
export interface LineClient {
  socket: Socket;
  send(msg: unknown): void;
  next(pred?: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  closed: Promise<void>;
  close(): void;
}

export async function lineClient(port: number): Promise<LineClient> {
  const socket = connect({ port, host: "127.0.0.1" });
  await new Promise<void>((res, rej) => {
    socket.once("connect", () => res());
    socket.once("error", rej);
  });
  let buf = "";
  const inbox: unknown[] = [];
  const waiters: { pred: (m: any) => boolean; resolve: (m: unknown) => void }[] = [];
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const m: unknown = JSON.parse(line);
      const w = waiters.findIndex((x) => x.pred(m));
      if (w >= 0) waiters.splice(w, 1)[0]!.resolve(m);
      else inbox.push(m);
    }
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((r) => socket.once("close", () => r()));
  return {
    socket,
    send(msg) {
      socket.write((typeof msg === "string" ? msg : JSON.stringify(msg)) + "\n");
    },
    next(pred = () => true, timeoutMs = 5000) {
      const i = inbox.findIndex((m) => pred(m));
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("timeout waiting for a message")), timeoutMs);
        waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
      });
    },
    closed,
    close() {
      socket.destroy();
    },
  };
}

export const byId = (id: unknown) => (m: any) => m && m.id === id;
