#!/usr/bin/env node
// Writes docs/configuration.md from the manager's config schema (run after `tsc -b manager`).
// `--check` writes nothing and exits 1 when the file on disk is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateConfigDocs } from "@bbb/manager";

const file = join(import.meta.dirname, "..", "docs", "configuration.md");
const text = generateConfigDocs();
if (process.argv.includes("--check")) {
  let onDisk = "";
  try {
    onDisk = readFileSync(file, "utf8");
  } catch {
    // A missing file is stale too.
  }
  if (onDisk !== text) {
    console.error("docs/configuration.md is stale: run `node scripts/gen-config-docs.mjs`");
    process.exit(1);
  }
  console.log("docs/configuration.md is current");
} else {
  writeFileSync(file, text);
  console.log("wrote docs/configuration.md");
}
