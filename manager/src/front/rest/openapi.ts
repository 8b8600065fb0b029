import type { Logger } from "pino";
import { hoistDefs, toJsonSchema, type JsonSchema } from "./json-schema.js";
import { PROBLEM_SCHEMA, PROBLEM_TYPE, problemBody } from "./problem.js";
import { exampleOf } from "./schema-example.js";
import type { Route } from "./routes.js";

export interface OpenApiInfo {
  title?: string;
  version: string;
  description?: string;
}

const ERROR_RESPONSES: Record<string, string> = {
  "400": "Body is not valid JSON.",
  "401": "Missing or wrong credentials.",
  "403": "The caller's role is below the method's role.",
  "404": "The object does not exist.",
  "409": "Conflicts with the current state.",
  "413": "Body larger than the limit.",
  "422": "Params do not match the schema; `issues` lists the paths.",
  "500": "Internal error (details are in the server log).",
};

/**
 * The OpenAPI 3.1 document of the REST API, generated from the same method table and zod
 * schemas the routes use, so documentation and behaviour cannot drift apart.
 */
export function buildOpenApi(
  routes: readonly Route[],
  info: OpenApiInfo,
  opts: { tokens: boolean; log?: Logger },
): Record<string, unknown> {
  const schemas: Record<string, JsonSchema> = {
    Problem: PROBLEM_SCHEMA,
  };
  const errorRef = { $ref: "#/components/responses/Error" };
  const paths: Record<string, Record<string, unknown>> = {};

  for (const route of routes) {
    const { def } = route;
    const paramsName = `${def.name}.params`;
    const resultName = `${def.name}.result`;
    const paramsSchema = hoistDefs(structuredClone(route.paramsSchema), paramsName, schemas);
    hoistDefs(toJsonSchema(def.result, "output", opts.log), resultName, schemas);
    const props = (paramsSchema.properties ?? {}) as Record<string, JsonSchema>;
    // Examples on every operation, built from the same schemas (schema-example.ts).
    const paramsExample = exampleOf(paramsSchema, schemas) as Record<string, unknown>;
    const resultExample = exampleOf({ $ref: `#/components/schemas/${resultName}` }, schemas);
    const required = new Set((paramsSchema.required ?? []) as string[]);
    const parameters: Record<string, unknown>[] = route.pathParams.map((name) => ({
      name,
      in: "path",
      required: true,
      schema: props[name] ?? { type: "string" },
      example: paramsExample[name] ?? "a0f6fd8b1c22",
    }));
    const op: Record<string, unknown> = {
      operationId: def.name,
      summary: def.description,
      description: `${def.description}\n\nLeast role: \`${def.role}\`. Same method as \`${def.name}\` on the command socket.`,
      tags: [def.name.split(".")[0] ?? def.name],
      "x-bbb-role": def.role,
    };
    if (route.verb === "GET" || route.verb === "DELETE") {
      for (const [name, schema] of Object.entries(props)) {
        if (route.pathParams.includes(name)) continue;
        const isArray = schema.type === "array";
        parameters.push({
          name,
          in: "query",
          required: required.has(name),
          schema,
          example: paramsExample[name],
          ...(isArray ? { style: "form", explode: true } : {}),
        });
      }
    }
    if (
      route.verb === "POST" ||
      route.verb === "PUT" ||
      (route.verb === "DELETE" && Object.keys(props).length > route.pathParams.length)
    ) {
      const bodyRequired = [...required].some((r) => !route.pathParams.includes(r));
      op.requestBody = {
        required: bodyRequired && route.verb !== "DELETE",
        description:
          route.pathParams.length > 0
            ? `Params as JSON; ${route.pathParams.join(", ")} come from the path.`
            : "Params as JSON.",
        content: {
          "application/json": {
            schema: { $ref: `#/components/schemas/${paramsName}` },
            example: Object.fromEntries(Object.entries(paramsExample).filter(([k]) => !route.pathParams.includes(k))),
          },
        },
      };
    }
    if (parameters.length > 0) op.parameters = parameters;
    op.responses = {
      "200": {
        description: "Result.",
        content: {
          "application/json": { schema: { $ref: `#/components/schemas/${resultName}` }, example: resultExample },
        },
      },
      ...Object.fromEntries(Object.keys(ERROR_RESPONSES).map((s) => [s, errorRef])),
    };
    (paths[route.template] ??= {})[route.verb.toLowerCase()] = op;
  }

  if (opts.tokens) {
    paths["/auth/token"] = {
      post: {
        operationId: "auth.token",
        summary: "Issue an API token for the authenticated user (use as Bearer).",
        tags: ["auth"],
        security: [{ basic: [] }],
        responses: {
          "200": {
            description: "A signed token and its expiry (ms since the epoch).",
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["token", "expiresAt"],
                  properties: { token: { type: "string" }, expiresAt: { type: "integer" } },
                },
              },
            },
          },
          "401": errorRef,
        },
      },
    };
  }

  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: info.title ?? "BBB fleet manager API",
      version: info.version,
      ...(info.description ? { description: info.description } : {}),
    },
    servers: [{ url: "/api" }],
    security: [{ basic: [] }, ...(opts.tokens ? [{ bearer: [] }] : [])],
    paths,
    components: {
      schemas,
      responses: {
        Error: {
          description: Object.entries(ERROR_RESPONSES)
            .map(([s, d]) => `${s}: ${d}`)
            .join("\n"),
          content: {
            [PROBLEM_TYPE]: {
              schema: { $ref: "#/components/schemas/Problem" },
              example: problemBody({ code: "MGR_E_NOT_FOUND", message: "board a0f6fd8b1c22 not found", status: 404 }),
            },
          },
        },
      },
      securitySchemes: {
        basic: { type: "http", scheme: "basic" },
        ...(opts.tokens
          ? { bearer: { type: "http", scheme: "bearer", description: "Token from POST /api/auth/token." } }
          : {}),
      },
    },
  };
}
