import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRestHandler } from "../src/front/rest/rest-handler.js";
import { createTokenService } from "../src/front/tokens.js";
import { authenticate, makeMethods, silentLog } from "./front-fixtures.js";

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
const OP = basic("operator", "op-pw");
const VIEW = basic("viewer", "view-pw");

describe("REST API", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const handler = createRestHandler({
      methods: makeMethods(),
      authenticate,
      log: silentLog,
      tokens: createTokenService({ secret: "s" }),
      limits: { maxBodyBytes: 2048 },
      throttle: {
        blockedFor: () => 0,
        begin: () => 0,
        end: () => {},
        fail: () => 5,
        succeed: () => {},
        size: () => 0,
      },
      version: "1.2.3",
    });
    server = createServer((req, res) => {
      if (!handler(req, res)) {
        res.writeHead(418);
        res.end(JSON.stringify({ notMine: true }));
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const call = async (method: string, path: string, opts: { auth?: string; body?: string | object } = {}) => {
    const headers: Record<string, string> = {};
    if (opts.auth) headers.authorization = opts.auth;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers["content-type"] = "application/json";
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    }
    const r = await fetch(base + path, { method, headers, body });
    const text = await r.text();
    return { status: r.status, headers: r.headers, text, json: text ? JSON.parse(text) : undefined };
  };

  it("routes GET with path params and typed query params (200)", async () => {
    const one = await call("GET", "/api/hosts/b0001", { auth: VIEW });
    expect(one.status).toBe(200);
    expect(one.json.id).toBe("b0001");
    const list = await call("GET", "/api/hosts?state=lost,missing&sector=1&limit=2", { auth: VIEW });
    expect(list.status).toBe(200);
    expect(list.json.length).toBeLessThanOrEqual(2);
    expect(list.json.every((h: { state: string; sector: string }) => h.state === "lost" && h.sector === "1")).toBe(
      true,
    );
  });

  it("answers 401 without or with wrong credentials, and accepts Bearer tokens", async () => {
    const none = await call("GET", "/api/hosts");
    expect(none.status).toBe(401);
    // Bearer only: a Basic challenge would make browsers keep the password (CSRF).
    expect(none.headers.get("www-authenticate")).toBe('Bearer realm="bbb"');
    expect((await call("GET", "/api/hosts", { auth: basic("viewer", "nope") })).status).toBe(401);
    const tok = await call("POST", "/api/auth/token", { auth: VIEW });
    expect(tok.status).toBe(200);
    expect((await call("GET", "/api/hosts/b0002", { auth: `Bearer ${tok.json.token}` })).status).toBe(200);
    expect((await call("GET", "/api/hosts/b0002", { auth: "Bearer junk" })).status).toBe(401);
  });

  it("maps errors to 403, 404, 409, 422 and a leak-free 500", async () => {
    expect((await call("GET", "/api/users", { auth: OP })).json.error.code).toBe("MGR_E_FORBIDDEN");
    expect((await call("GET", "/api/users", { auth: OP })).status).toBe(403);
    const nf = await call("GET", "/api/hosts/zzz", { auth: VIEW });
    expect(nf.status).toBe(404);
    expect(nf.json.error.code).toBe("MGR_E_NOT_FOUND");
    expect((await call("PUT", "/api/types/abc", { auth: OP, body: { create: true } })).status).toBe(200);
    const conflict = await call("PUT", "/api/types/abc", { auth: OP, body: { create: true } });
    expect(conflict.status).toBe(409);
    expect(conflict.json.error.code).toBe("MGR_E_CONFLICT");
    const invalid = await call("PUT", "/api/types/ABC", { auth: OP, body: { description: 5 } });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error.issues.map((i: { path: string[] }) => i.path[0]).sort()).toEqual(["description", "name"]);
    const boom = await call("POST", "/api/boom", { auth: VIEW });
    expect(boom.status).toBe(500);
    // RFC 9457 problem details, with the earlier `error` member kept for existing clients.
    expect(boom.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(boom.json).toEqual({
      type: "urn:bbb:error:MGR_E_INTERNAL",
      title: "An unexpected failure; the manager's log has the details.",
      status: 500,
      detail: "internal error",
      code: "MGR_E_INTERNAL",
      error: { code: "MGR_E_INTERNAL", message: "internal error" },
    });
    expect(invalid.json).toMatchObject({
      status: 422,
      code: "MGR_E_INVALID_PARAMS",
      type: "urn:bbb:error:MGR_E_INVALID_PARAMS",
    });
    expect(invalid.json.issues).toEqual(invalid.json.error.issues);
    expect(boom.text).not.toContain("secret");
  });

  it("answers 400 for bad JSON and 413 for a body past the limit", async () => {
    const bad = await call("POST", "/api/hosts/command", { auth: OP, body: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("MGR_E_PARSE_ERROR");
    const big = await call("POST", "/api/hosts/command", {
      auth: OP,
      body: { action: "reboot", args: { x: "y".repeat(5000) } },
    });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe("MGR_E_TOO_LARGE");
  });

  it("runs POST methods with a JSON body and DELETE with path params", async () => {
    const r = await call("POST", "/api/hosts/command", { auth: OP, body: { action: "reboot", boardIds: ["b0001"] } });
    expect(r.status).toBe(200);
    expect(r.json.results).toEqual([{ boardId: "b0001", status: "succeeded" }]);
    expect((await call("DELETE", "/api/types/abc", { auth: OP })).json).toEqual({ removed: true });
  });

  it("answers 405 for a known path with the wrong verb, 404 for unknown API paths, false outside /api", async () => {
    const r = await call("DELETE", "/api/hosts", { auth: VIEW });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET");
    expect((await call("GET", "/api/nothing/here", { auth: VIEW })).status).toBe(404);
    expect((await call("GET", "/dashboard")).status).toBe(418);
  });
});
