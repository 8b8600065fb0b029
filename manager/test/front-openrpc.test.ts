import { connect, type Socket } from "node:net";
import { jsonSchema as jsonSchemaMetaModule } from "@json-schema-tools/meta-schema";
import { openrpcDocument as metaSchemaModule } from "@open-rpc/meta-schema";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFrontExtension } from "../src/front/front-extension.js";
import { ADMIN_PASSWORD, startTestServer, type TestServer } from "./helpers.js";

type Json = Record<string, any>;

/** A raw TCP client of the command socket: one JSON object per line out, replies by id in. */
function lineClient(port: number) {
  const sock: Socket = connect(port, "127.0.0.1");
  const waiting = new Map<number, (r: Json) => void>();
  let buf = "";
  sock.on("data", (b: Buffer) => {
    buf += b.toString();
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const msg = JSON.parse(buf.slice(0, i)) as Json;
      buf = buf.slice(i + 1);
      waiting.get(msg.id as number)?.(msg);
    }
  });
  let next = 1;
  return {
    call(method: string, params?: unknown): Promise<Json> {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        sock.write(JSON.stringify({ jsonrpc: "2.0", id, method, ...(params === undefined ? {} : { params }) }) + "\n");
      });
    },
    close: () => sock.destroy(),
  };
}

describe("rpc.discover: the socket's OpenRPC document from the method table", () => {
  let srv: TestServer;
  let doc: Json;
  let client: ReturnType<typeof lineClient>;

  beforeAll(async () => {
    srv = await startTestServer({}, { extensions: [createFrontExtension()] });
    client = lineClient(srv.started.ports.cmd!);
    // Before auth, like GET /api/openapi.json.
    const r = await client.call("rpc.discover");
    doc = r.result as Json;
  });
  afterAll(async () => {
    client?.close();
    await srv?.stop();
  });

  it("validates against the OpenRPC meta-schema", () => {
    const meta: Json = metaSchemaModule;
    // The OpenRPC meta-schema refers to JSON Schema's own (meta.json-schema.tools) for every schema in the document.
    const jsonSchemaMeta: Json = jsonSchemaMetaModule;
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateSchema: false,
      formats: { "uri-reference": true, uri: true },
    });
    // Referred to with and without the trailing slash.
    ajv.addSchema({ ...jsonSchemaMeta, $id: "https://meta.json-schema.tools/" });
    ajv.addSchema({ ...jsonSchemaMeta, $id: "https://meta.json-schema.tools" });
    // ajv cannot follow a JSON pointer through a property named "$ref": inline that one target.
    const refTarget = JSON.stringify((jsonSchemaMeta.definitions as Json).JSONSchemaObject.properties.$ref);
    const inlined = JSON.parse(
      JSON.stringify(meta).replace(
        '{"$ref":"https://meta.json-schema.tools/#/definitions/JSONSchemaObject/properties/$ref"}',
        refTarget,
      ),
    ) as Json;
    const validate = ajv.compile(inlined);
    const ok = validate(doc);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(ok).toBe(true);
    expect(doc.openrpc).toBe("1.3.2");
    // The validator does look: a method without a name, or a bad version, fails.
    expect(validate({ ...doc, openrpc: "one" })).toBe(false);
    expect(validate({ ...doc, methods: [{ params: [] }] })).toBe(false);
  });

  it("lists every method of the table plus the socket's own, with every param and result schema", () => {
    const names = (doc.methods as Json[]).map((m) => m.name as string);
    const table = [...srv.server.manager.table.keys()];
    expect(names).toEqual(
      expect.arrayContaining([...table, "auth", "events.subscribe", "methods.list", "rpc.discover"]),
    );
    expect(names.length).toBe(new Set(names).size);
    const hostsRemove = (doc.methods as Json[]).find((m) => m.name === "hosts.remove")!;
    expect(hostsRemove.params).toEqual([expect.objectContaining({ name: "id", required: true })]);
    expect(hostsRemove["x-role"]).toBe("operator");
    // Every $ref points into the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/[^"]+"/g) ?? [];
    for (const r of refs) {
      const path = r.slice(9, -1).split("/").slice(1);
      let at: unknown = doc;
      for (const seg of path) at = (at as Json)[seg];
      expect(at, r).toBeDefined();
    }
    expect(doc.components.errors.MGR_E_CONFLICT).toEqual({
      code: -32009,
      message: expect.any(String),
      data: { code: "MGR_E_CONFLICT" },
    });
  });

  it("answers the same methods after auth as methods.list gives an admin", async () => {
    expect((await client.call("auth", { username: "admin", password: ADMIN_PASSWORD })).result).toBeDefined();
    const listed = ((await client.call("methods.list")).result as Json[]).map((m) => m.name as string);
    const discovered = (doc.methods as Json[]).map((m) => m.name as string);
    expect([...discovered].sort()).toEqual([...listed, "rpc.discover"].sort());
  });
});
