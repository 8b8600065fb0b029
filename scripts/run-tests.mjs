#!/usr/bin/env node
// Runs the whole suite with vitest's JSON reporter and prints the closing line
// "N passed, N failed" from that report (CI reads this line, not vitest's own summary).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, existsSync } from "node:fs";

const out = "test-results/vitest.json";
mkdirSync("test-results", { recursive: true });
const r = spawnSync(
  "npx",
  ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...process.argv.slice(2)],
  { stdio: "inherit" },
);
let passed = 0;
let failed = 0;
if (existsSync(out)) {
  const report = JSON.parse(readFileSync(out, "utf8"));
  passed = report.numPassedTests ?? 0;
  failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0);
  for (const file of report.testResults ?? []) {
    // A file that failed to load has no assertions: count it as a failure.
    if (file.status === "failed" && (file.assertionResults ?? []).length === 0) failed++;
  }
} else {
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || r.status !== 0 ? 1 : 0);
