import { z } from "zod";
import type { Logger } from "pino";

export type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema (2020-12, the dialect of OpenAPI 3.1) of a zod schema. Params are described as
 * the caller writes them (`io: "input"`), results as the server sends them (`io: "output"`).
 * Transforms cannot be expressed and become `{}` rather than failing the whole document.
 */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output", log?: Logger): JsonSchema {
  try {
    const out = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" }) as JsonSchema;
    delete out.$schema;
    return out;
  } catch (e: unknown) {
    log?.warn({ err: e }, "schema not representable as JSON Schema");
    return {};
  }
}

/**
 * Moves `$defs` of a standalone schema into OpenAPI components and rewrites its `$ref`s,
 * since a `#/$defs/...` reference would resolve against the OpenAPI document's root.
 */
export function hoistDefs(schema: JsonSchema, name: string, components: Record<string, JsonSchema>): JsonSchema {
  const defs = (schema.$defs ?? {}) as Record<string, JsonSchema>;
  delete schema.$defs;
  const target = (ref: string): string => {
    if (ref === "#") return `#/components/schemas/${name}`;
    const m = /^#\/\$defs\/(.+)$/.exec(ref);
    return m ? `#/components/schemas/${name}.${m[1]}` : ref;
  };
  const rewrite = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (typeof v !== "object" || v === null) return v;
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = k === "$ref" && typeof x === "string" ? target(x) : rewrite(x);
    return o;
  };
  for (const [k, d] of Object.entries(defs)) components[`${name}.${k}`] = rewrite(d) as JsonSchema;
  const root = rewrite(schema) as JsonSchema;
  components[name] = root;
  return root;
}

/** The JSON types a property schema admits (following anyOf/oneOf one level down). */
export function schemaTypes(s: JsonSchema | undefined): Set<string> {
  const out = new Set<string>();
  if (!s) return out;
  const t = s.type;
  if (typeof t === "string") out.add(t);
  else if (Array.isArray(t)) for (const x of t) if (typeof x === "string") out.add(x);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const alts = s[key];
    if (Array.isArray(alts)) for (const a of alts) for (const x of schemaTypes(a as JsonSchema)) out.add(x);
  }
  if ("const" in s)
    out.add(typeof s.const === "number" ? "number" : typeof s.const === "boolean" ? "boolean" : "string");
  if (Array.isArray(s.enum) && out.size === 0) out.add("string");
  return out;
}
