import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRestHandler } from "../src/front/rest/rest-handler.js";
import { createTokenService } from "../src/front/tokens.js";
import { authenticate, makeMethods, silentLog } from "./front-fixtures.js";
import { pythonValidate, pythonValidatorAvailable, validateOpenApi, type Json } from "./front-openapi-check.js";

describe("OpenAPI document", () => {
  let server: Server;
  let url: string;
  const methods = makeMethods();
  beforeAll(async () => {
    const handler = createRestHandler({
      methods,
      authenticate,
      log: silentLog,
      tokens: createTokenService({ secret: "s" }),
      version: "9.9.9",
    });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}/api/openapi.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("is OpenAPI 3.1 with every mapped method, its schemas and resolvable references", async () => {
    const r = await fetch(url);
    expect(r.status).toBe(200);
    const doc = (await r.json()) as Json;
    expect(validateOpenApi(doc)).toEqual([]);
    for (const def of methods.values()) {
      if (!def.http) continue;
      const op = doc.paths[def.http.path]?.[def.http.method.toLowerCase()];
      expect(op?.operationId).toBe(def.name);
      expect(doc.components.schemas[`${def.name}.params`]).toBeDefined();
      expect(doc.components.schemas[`${def.name}.result`]).toBeDefined();
    }
    const get = doc.paths["/hosts/{id}"].get;
    expect(get.parameters).toContainEqual({
      name: "id",
      in: "path",
      required: true,
      schema: { type: "string", minLength: 1 },
      example: "a0f6fd8b1c22",
    });
    const list = doc.paths["/hosts"].get.parameters.find((p: Json) => p.name === "state");
    expect(list).toMatchObject({ in: "query", required: false, schema: { type: "array" } });
    expect(doc.paths["/auth/token"].post).toBeDefined();
  });

  // A second opinion from an outside validator, where Debian/pip provide one.
  it.skipIf(!pythonValidatorAvailable())("passes openapi-spec-validator and the 2020-12 meta-schema", async () => {
    const doc = await (await fetch(url)).json();
    expect(pythonValidate(doc)).toBe("ok");
  });
});
