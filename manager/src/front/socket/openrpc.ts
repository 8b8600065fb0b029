import type { Logger } from "pino";
import { ManagerErrors } from "../../errors.js";
import type { MethodDef, MethodTable } from "../../service/method.js";
import { MANAGER_VERSION } from "../../version.js";
import { hoistDefs, toJsonSchema, type JsonSchema } from "../rest/json-schema.js";
import { exampleOf } from "../rest/schema-example.js";
import { eventFilterSchema } from "./event-filter.js";

type Json = Record<string, unknown>;

/** Methods of the socket itself (connection.ts), described by hand; the rest come from the table. */
const BUILTIN: { name: string; summary: string; role: string; params: Json[]; result: Json }[] = [
  {
    name: "auth",
    summary: "Authenticate this connection: {username, password} or {token}. Must come first.",
    role: "viewer",
    params: [
      { name: "username", schema: { type: "string" } },
      { name: "password", schema: { type: "string" } },
      { name: "token", schema: { type: "string" } },
    ],
    result: {
      type: "object",
      properties: { username: { type: "string" }, role: { enum: ["viewer", "operator", "admin"] } },
    },
  },
  {
    name: "events.subscribe",
    summary:
      "Stream registry events as notifications events.stateChange / events.commandResult; a second call replaces the filter.",
    role: "viewer",
    params: [{ name: "filter", schema: toJsonSchema(eventFilterSchema, "input") }],
    result: { type: "object", properties: { subscribed: { const: true }, filter: { type: "object" } } },
  },
  {
    name: "events.unsubscribe",
    summary: "Stop the event stream of this connection.",
    role: "viewer",
    params: [],
    result: { type: "object", properties: { subscribed: { const: false }, was: { type: "boolean" } } },
  },
  {
    name: "methods.list",
    summary: "The methods this connection's role may call.",
    role: "viewer",
    params: [],
    result: {
      type: "array",
      items: {
        type: "object",
        properties: { name: { type: "string" }, description: { type: "string" }, role: { type: "string" } },
      },
    },
  },
  {
    name: "rpc.discover",
    summary: "This OpenRPC document. Answered before auth too, like GET /api/openapi.json.",
    role: "none",
    params: [],
    result: { $ref: "https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json" },
  },
];

// Every method can answer these (docs/protocol.md §"Command socket", docs/errors.md).
const COMMON_ERRORS = ["UNAUTHENTICATED", "FORBIDDEN", "INVALID_PARAMS", "INTERNAL"] as const;

/** By-name params of an object schema: one content descriptor per property (union members merged, optional). */
function paramsOf(schema: JsonSchema): Json[] {
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const out: Json[] = Object.entries(props).map(([name, s]) => ({ name, schema: s, required: required.has(name) }));
  for (const key of ["anyOf", "oneOf"]) {
    const alts = schema[key];
    if (!Array.isArray(alts)) continue;
    for (const a of alts as JsonSchema[])
      for (const p of paramsOf(a)) if (!out.some((o) => o.name === p.name)) out.push({ ...p, required: false });
  }
  return out;
}

function methodOf(def: MethodDef, components: Record<string, JsonSchema>, log?: Logger): Json {
  const params = hoistDefs(toJsonSchema(def.params, "input", log), `${def.name}.params`, components);
  const result = hoistDefs(toJsonSchema(def.result, "output", log), `${def.name}.result`, components);
  return {
    name: def.name,
    summary: def.description,
    description: `${def.description} Least role: ${def.role}.${def.http ? ` REST: ${def.http.method} /api${def.http.path}.` : ""}`,
    tags: [{ name: def.name.split(".")[0] ?? def.name }],
    paramStructure: "by-name",
    params: paramsOf(params),
    result: { name: "result", schema: result },
    examples: [
      {
        name: `${def.name} example`,
        params: Object.entries((exampleOf(params, components) ?? {}) as Record<string, unknown>).map(
          ([name, value]) => ({ name, value }),
        ),
        result: { name: "result", value: exampleOf(result, components) },
      },
    ],
    errors: COMMON_ERRORS.map((k) => ({ $ref: `#/components/errors/${ManagerErrors[k].code}` })),
    "x-role": def.role,
  };
}

const cache = new WeakMap<MethodTable, Json>();

/**
 * `rpc.discover` (OpenRPC 1.3): the command socket's methods generated from the same method
 * table every door dispatches through, with the socket's own methods and every error code.
 */
export function openRpcDocument(methods: MethodTable, log?: Logger): Json {
  const hit = cache.get(methods);
  if (hit) return hit;
  const components: Record<string, JsonSchema> = {};
  const table = [...methods.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((d) => methodOf(d, components, log));
  const builtin = BUILTIN.map((b) => ({
    name: b.name,
    summary: b.summary,
    tags: [{ name: "socket" }],
    paramStructure: "by-name",
    params: b.params.map((p) => ({ required: false, ...p })),
    result: { name: "result", schema: b.result },
    "x-role": b.role,
  }));
  const errors = Object.fromEntries(
    Object.values(ManagerErrors).map((e) => [e.code, { code: e.rpc, message: e.message, data: { code: e.code } }]),
  );
  const doc = {
    openrpc: "1.3.2",
    info: {
      title: "BBB fleet manager command socket",
      version: MANAGER_VERSION,
      description:
        'JSON-RPC 2.0 over TCP (port 6789), one object per line; call auth first. Errors carry the stable code in error.data.code (docs/protocol.md §"Command socket").',
    },
    servers: [{ name: "command socket", url: "tcp://localhost:6789" }],
    methods: [...builtin, ...table],
    components: { schemas: components, errors },
  };
  cache.set(methods, doc);
  return doc;
}
