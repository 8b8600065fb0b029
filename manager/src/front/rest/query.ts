import { schemaTypes, type JsonSchema } from "./json-schema.js";

function coerceScalar(value: string, schema: JsonSchema | undefined): unknown {
  const types = schemaTypes(schema);
  if ((types.has("integer") || types.has("number")) && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  if (types.has("boolean") && (value === "true" || value === "false")) return value === "true";
  if (types.has("null") && value === "null") return null;
  if ((types.has("object") || (types.has("array") && value.startsWith("["))) && !types.has("string")) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Turns query-string values (always text) into the JSON types the method's params schema
 * expects, driven by the same JSON Schema the OpenAPI document publishes: numbers, booleans,
 * arrays (`?state=lost&state=missing` or `?state=lost,missing`) and JSON for nested objects.
 * A value that does not fit stays text, and the zod check reports it (422).
 */
export function coerceQuery(search: URLSearchParams, paramsSchema: JsonSchema): Record<string, unknown> {
  const props = (paramsSchema.properties ?? {}) as Record<string, JsonSchema>;
  const out: Record<string, unknown> = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    const prop = props[key];
    if (schemaTypes(prop).has("array")) {
      const items = (prop?.items ?? {}) as JsonSchema;
      if (values.length === 1 && (values[0] ?? "").startsWith("[")) {
        out[key] = coerceScalar(values[0] ?? "", { type: "array" });
        continue;
      }
      const flat = values.flatMap((v) => (v === "" ? [] : v.split(",")));
      out[key] = flat.map((v) => coerceScalar(v, items));
    } else {
      out[key] = coerceScalar(values[values.length - 1] ?? "", prop);
    }
  }
  return out;
}

/** Coerces path parameters the same way (a `{id}` that is numeric in the schema becomes a number). */
export function coercePathParams(params: Record<string, string>, paramsSchema: JsonSchema): Record<string, unknown> {
  const props = (paramsSchema.properties ?? {}) as Record<string, JsonSchema>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = coerceScalar(v, props[k]);
  return out;
}
