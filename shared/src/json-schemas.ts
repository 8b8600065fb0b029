import { z } from "zod";
import { wireSchemas } from "./schemas/catalogue.js";

/**
 * JSON Schemas of every wire payload, generated from the zod schemas (the single source):
 * docs/schemas/<name>.json. Input shapes: what a publisher may send.
 */
export function generateJsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, schema] of Object.entries(wireSchemas)) {
    const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", target: "draft-2020-12" });
    out[`${name}.json`] = JSON.stringify({ $id: `https://bbb-fleet.local/schemas/${name}.json`, title: name, ...json }, null, 2) + "\n";
  }
  return out;
}
