#!/usr/bin/env node
// Writes docs/configuration.md from the manager's config schema (run after `tsc -b manager`).
// `--check` writes nothing and exits 1 when the file on disk is stale.
import { join } from "node:path";
import { writeOrCheck } from "./lib/write-or-check.mjs";
import { generateConfigDocs } from "@bbb/manager";

const file = join(import.meta.dirname, "..", "docs", "configuration.md");
const text = generateConfigDocs();
writeOrCheck(file, text, "node scripts/gen-config-docs.mjs");
