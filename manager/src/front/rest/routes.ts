import type { Logger } from "pino";
import type { MethodDef, MethodTable } from "../../service/method.js";
import { toJsonSchema, type JsonSchema } from "./json-schema.js";

export type HttpVerb = "GET" | "POST" | "PUT" | "DELETE";

export interface Route {
  def: MethodDef;
  verb: HttpVerb;
  /** Path template under /api, e.g. /hosts/{id}. */
  template: string;
  pathParams: string[];
  regex: RegExp;
  /** Params schema as JSON Schema: query coercion and the OpenAPI document use the same one. */
  paramsSchema: JsonSchema;
  literalSegments: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function compileTemplate(template: string): { regex: RegExp; pathParams: string[]; literalSegments: number } {
  const pathParams: string[] = [];
  let literalSegments = 0;
  const parts = template.split("/").map((seg) => {
    const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(seg);
    if (m) {
      pathParams.push(m[1] as string);
      return "([^/]+)";
    }
    if (seg !== "") literalSegments++;
    return escape(seg);
  });
  return { regex: new RegExp(`^${parts.join("/")}/?$`), pathParams, literalSegments };
}

/** Routes from each method's `http` mapping; literal segments win over placeholders. */
export function compileRoutes(methods: MethodTable, log?: Logger): Route[] {
  const routes: Route[] = [];
  for (const def of methods.values()) {
    if (!def.http) continue;
    const { regex, pathParams, literalSegments } = compileTemplate(def.http.path);
    routes.push({
      def,
      verb: def.http.method,
      template: def.http.path,
      pathParams,
      regex,
      literalSegments,
      paramsSchema: toJsonSchema(def.params, "input", log),
    });
  }
  return routes.sort((a, b) => b.literalSegments - a.literalSegments || a.pathParams.length - b.pathParams.length);
}

export type RouteMatch =
  | { kind: "match"; route: Route; params: Record<string, string> }
  | { kind: "wrong-verb"; allow: HttpVerb[] }
  | { kind: "none" };

export function matchRoute(routes: readonly Route[], verb: string, path: string): RouteMatch {
  const allow = new Set<HttpVerb>();
  for (const route of routes) {
    const m = route.regex.exec(path);
    if (!m) continue;
    if (route.verb !== verb) {
      allow.add(route.verb);
      continue;
    }
    const params: Record<string, string> = {};
    try {
      route.pathParams.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1] ?? "")));
    } catch {
      continue;
    }
    return { kind: "match", route, params };
  }
  return allow.size > 0 ? { kind: "wrong-verb", allow: [...allow] } : { kind: "none" };
}
