import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Json = Record<string, any>;
const TYPES = new Set(["null", "boolean", "object", "array", "number", "string", "integer"]);
const SUBSCHEMA_MAPS = ["properties", "patternProperties", "$defs"];
const SUBSCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"];
const SUBSCHEMAS = ["items", "additionalProperties", "not", "propertyNames", "contains", "if", "then", "else"];

/** A JSON Schema 2020-12 structural check: keyword shapes, types, required lists. */
function checkSchema(s: unknown, at: string, errors: string[]): void {
  if (typeof s === "boolean") return;
  if (typeof s !== "object" || s === null || Array.isArray(s))
    return void errors.push(`${at}: schema is not an object`);
  const o = s as Json;
  if ("type" in o) {
    const ts = Array.isArray(o.type) ? o.type : [o.type];
    for (const t of ts) if (!TYPES.has(t)) errors.push(`${at}: unknown type ${String(t)}`);
  }
  if ("required" in o && !(Array.isArray(o.required) && o.required.every((x: unknown) => typeof x === "string")))
    errors.push(`${at}: required`);
  if ("enum" in o && !Array.isArray(o.enum)) errors.push(`${at}: enum`);
  if ("$ref" in o && typeof o.$ref !== "string") errors.push(`${at}: $ref`);
  for (const k of SUBSCHEMA_MAPS)
    if (k in o) for (const [n, v] of Object.entries(o[k] as Json)) checkSchema(v, `${at}/${k}/${n}`, errors);
  for (const k of SUBSCHEMA_LISTS)
    if (k in o) (o[k] as unknown[]).forEach((v, i) => checkSchema(v, `${at}/${k}/${i}`, errors));
  for (const k of SUBSCHEMAS) if (k in o) checkSchema(o[k], `${at}/${k}`, errors);
}

function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === "object")
    for (const [k, x] of Object.entries(v)) {
      if (k === "$ref" && typeof x === "string") out.push(x);
      else refs(x, out);
    }
  return out;
}

function resolve(doc: Json, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<any>((o, k) => (o && typeof o === "object" ? o[k] : undefined), doc);
}

/** OpenAPI 3.1 structure: what the generated document must satisfy for our tools and others'. */
export function validateOpenApi(doc: Json): string[] {
  const errors: string[] = [];
  if (doc.openapi !== "3.1.0") errors.push("openapi must be 3.1.0");
  if (typeof doc.info?.title !== "string" || typeof doc.info?.version !== "string") errors.push("info.title/version");
  const opIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    if (!path.startsWith("/")) errors.push(`${path}: must start with /`);
    const templ = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [verb, op] of Object.entries(item as Json)) {
      if (!["get", "put", "post", "delete", "patch", "head", "options", "trace"].includes(verb))
        errors.push(`${path}: bad verb ${verb}`);
      if (!op.responses || Object.keys(op.responses).length === 0) errors.push(`${verb} ${path}: no responses`);
      for (const code of Object.keys(op.responses ?? {}))
        if (!/^[1-5](\d\d|XX)$|^default$/.test(code)) errors.push(`${verb} ${path}: response ${code}`);
      if (opIds.has(op.operationId)) errors.push(`duplicate operationId ${op.operationId}`);
      opIds.add(op.operationId);
      const pathParams = (op.parameters ?? []).filter((p: Json) => p.in === "path");
      for (const t of templ)
        if (!pathParams.some((p: Json) => p.name === t && p.required === true))
          errors.push(`${verb} ${path}: path param ${t} undeclared`);
      for (const p of op.parameters ?? []) {
        if (!["path", "query", "header", "cookie"].includes(p.in)) errors.push(`${verb} ${path}: parameter in ${p.in}`);
        checkSchema(p.schema, `${verb} ${path} param ${p.name}`, errors);
      }
    }
  }
  for (const [name, s] of Object.entries(doc.components?.schemas ?? {})) {
    if (!/^[a-zA-Z0-9.\-_]+$/.test(name)) errors.push(`component name ${name}`);
    checkSchema(s, `#/components/schemas/${name}`, errors);
  }
  for (const r of refs(doc)) if (resolve(doc, r) === undefined) errors.push(`unresolved $ref ${r}`);
  return errors;
}

/** openapi-spec-validator and the JSON Schema 2020-12 meta-schema (Python), where installed. */
export function pythonValidatorAvailable(): boolean {
  return spawnSync("python3", ["-c", "import openapi_spec_validator, jsonschema"], { encoding: "utf8" }).status === 0;
}

export function pythonValidate(doc: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "bbb-openapi-"));
  try {
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(doc));
    const script = [
      "import json, sys",
      "from openapi_spec_validator import validate",
      "from jsonschema import Draft202012Validator",
      "doc = json.load(open(sys.argv[1]))",
      "validate(doc)",
      "[Draft202012Validator.check_schema(s) for s in doc['components']['schemas'].values()]",
      "print('ok')",
    ].join("\n");
    const r = spawnSync("python3", ["-c", script, file], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : `${r.stdout}${r.stderr}`.trim().split("\n").slice(-5).join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
