import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateJsonSchemas } from "@bbb/shared";

const dir = join(import.meta.dirname, "..", "..", "docs", "schemas");

describe("docs/schemas", () => {
  it("matches the zod schemas (run `npm run schemas` after changing shared)", () => {
    const generated = generateJsonSchemas();
    const onDisk = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
    expect(onDisk).toEqual(Object.keys(generated).sort());
    for (const [name, text] of Object.entries(generated)) {
      expect(readFileSync(join(dir, name), "utf8"), `${name} is stale`).toBe(text);
    }
  });
});
