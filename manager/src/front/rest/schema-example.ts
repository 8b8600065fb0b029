import type { JsonSchema } from "./json-schema.js";

/** Plausible values by property name, so examples read like the fleet rather than "string". */
const BY_NAME: Record<string, unknown> = {
  id: "a0f6fd8b1c22",
  boardId: "a0f6fd8b1c22",
  hostname: "LA-RaCtrl--CO-Srv-1",
  ip: "10.128.30.40",
  gateway: "10.128.30.1",
  netmask: "255.255.255.0",
  sector: "3",
  type: "mbtemp",
  username: "alice",
  password: "correct-horse-battery",
  name: "mbtemp",
  action: "reboot",
  url: "https://git.example.org/bbb/mbtemp.git",
  ref: "main",
  message: "board a0f6fd8b1c22 rebooted",
  description: "MBTemp temperature monitor",
  role: "operator",
  state: "lost",
};

const BY_FORMAT: Record<string, string> = {
  "date-time": "2026-01-31T08:00:00.000Z",
  date: "2026-01-31",
  uri: "https://git.example.org/bbb/mbtemp.git",
  email: "alice@example.org",
  ipv4: "10.128.30.40",
  uuid: "3f2c1e9a-7b4d-4c2a-9e1f-2a6b8c0d4e5f",
};

function fitsString(v: unknown, s: JsonSchema): v is string {
  if (typeof v !== "string") return false;
  if (typeof s.minLength === "number" && v.length < s.minLength) return false;
  if (typeof s.maxLength === "number" && v.length > s.maxLength) return false;
  if (typeof s.pattern === "string") {
    try {
      if (!new RegExp(s.pattern, "u").test(v)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function stringFor(s: JsonSchema, hint: string): string {
  const candidates = [
    BY_NAME[hint],
    typeof s.format === "string" ? BY_FORMAT[s.format] : undefined,
    "a0f6fd8b1c22",
    "mbtemp",
    "3",
    "example",
  ];
  for (const c of candidates) if (fitsString(c, s)) return c;
  const min = typeof s.minLength === "number" ? s.minLength : 0;
  return "x".repeat(Math.max(min, 1));
}

function numberFor(s: JsonSchema, integer: boolean): number {
  const lo =
    typeof s.minimum === "number" ? s.minimum : typeof s.exclusiveMinimum === "number" ? s.exclusiveMinimum + 1 : null;
  const hi =
    typeof s.maximum === "number" ? s.maximum : typeof s.exclusiveMaximum === "number" ? s.exclusiveMaximum - 1 : null;
  let v = lo !== null && lo > 1 ? lo : 1;
  if (hi !== null && v > hi) v = hi;
  return integer ? Math.ceil(v) : v;
}

/**
 * An example value of a JSON Schema (as the OpenAPI and OpenRPC documents carry them): the
 * schema's own example, default, const or first enum value, else one built from the types, with
 * fleet-like values by property name and format. `$ref`s resolve into `components`.
 */
export function exampleOf(schema: unknown, components: Record<string, JsonSchema>, hint = "", depth = 0): unknown {
  if (typeof schema !== "object" || schema === null) return null;
  let s = schema as JsonSchema;
  if (typeof s.$ref === "string") {
    const target = components[s.$ref.replace(/^#\/components\/schemas\//, "")];
    return depth > 8 || !target ? null : exampleOf(target, components, hint, depth + 1);
  }
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if ("default" in s) return s.default;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0)
    return BY_NAME[hint] !== undefined && s.enum.includes(BY_NAME[hint]) ? BY_NAME[hint] : s.enum[0];
  for (const key of ["anyOf", "oneOf"] as const) {
    const alts = s[key];
    if (Array.isArray(alts) && alts.length > 0) {
      const list = alts as JsonSchema[];
      const pick = list.find((a) => a.type !== "null") ?? list[0];
      return exampleOf(pick, components, hint, depth + 1);
    }
  }
  if (Array.isArray(s.allOf))
    s = Object.assign({}, ...(s.allOf as JsonSchema[]), { ...s, allOf: undefined }) as JsonSchema;
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === "string" ? [s.type] : [];
  const type = types.find((t) => t !== "null") ?? (s.properties ? "object" : s.items ? "array" : types[0]);
  switch (type ?? "") {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      for (const [k, p] of Object.entries(props))
        if (required.has(k) || depth < 4) out[k] = exampleOf(p, components, k, depth + 1);
      if (Object.keys(props).length === 0 && typeof s.additionalProperties === "object") {
        // A record whose keys are an enum (e.g. the metric names of hosts.metrics) takes its first key.
        const names = (s.propertyNames as JsonSchema | undefined)?.enum;
        const key = Array.isArray(names) && typeof names[0] === "string" ? names[0] : hint === "args" ? "seconds" : "key";
        out[key] = exampleOf(s.additionalProperties, components, "", depth + 1);
      }
      return out;
    }
    case "array": {
      const n = typeof s.minItems === "number" && s.minItems > 1 ? s.minItems : 1;
      return depth > 6
        ? []
        : Array.from({ length: n }, () => exampleOf(s.items, components, hint.replace(/s$/, ""), depth + 1));
    }
    case "string":
      return stringFor(s, hint);
    case "integer":
      return numberFor(s, true);
    case "number":
      return numberFor(s, false);
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return BY_NAME[hint] ?? {};
  }
}
