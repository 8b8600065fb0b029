#!/usr/bin/env node
// Writes docs/schemas/*.json from the zod schemas of @bbb/shared (run after `tsc -b shared`).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateJsonSchemas } from "@bbb/shared";

const dir = join(import.meta.dirname, "..", "docs", "schemas");
mkdirSync(dir, { recursive: true });
const files = generateJsonSchemas();
for (const f of readdirSync(dir)) if (f.endsWith(".json") && !(f in files)) rmSync(join(dir, f));
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
console.log(`wrote ${Object.keys(files).length} schemas to docs/schemas/`);
