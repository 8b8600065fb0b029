#!/usr/bin/env node
// Runs the whole suite with vitest's JSON reporter and prints the closing line
// "N passed, N failed" from those reports (CI reads this line, not vitest's own summary).
//
// Two phases: first every test but the emulated-board ones, then those alone. The emulated
// boards (qemu-arm building and running armhf roots, dpkg-deb with xz) keep both cores busy for
// minutes; run beside the rest they starve the tests that watch a real agent come online or a
// board go lost within its deadline. Arguments after the script (a file filter, say) make one
// phase of exactly what they select.
import { spawnSync } from "node:child_process";
import { relative } from "node:path";
import { mkdirSync, readFileSync, existsSync, rmSync } from "node:fs";

/** The test files that run qemu or build the Debian packages (docs/deployment.md). */
const EMULATED = ["agent/test/bundle-armhf.test.ts", "agent/test/deb-package.test.ts", "manager/test/rollout-sshd.test.ts"];

mkdirSync("test-results", { recursive: true });
const extra = process.argv.slice(2);

function phase(name, args) {
  const out = `test-results/vitest-${name}.json`;
  rmSync(out, { force: true });
  console.log(`\n== test phase: ${name}`);
  const r = spawnSync(
    "npx",
    ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...args, ...extra],
    { stdio: "inherit" },
  );
  if (!existsSync(out)) return { passed: 0, failed: 1, failures: [{ where: name, title: "(no JSON report)", message: `vitest exited ${r.status}` }], ok: false };
  const report = JSON.parse(readFileSync(out, "utf8"));
  let passed = report.numPassedTests ?? 0;
  let failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0);
  const failures = [];
  for (const file of report.testResults ?? []) {
    const where = relative(process.cwd(), file.name ?? "");
    // A file that failed to load has no assertions: count it as a failure.
    if (file.status === "failed" && (file.assertionResults ?? []).length === 0) {
      failed++;
      failures.push({ where, title: "(file did not run)", message: file.message ?? "" });
    }
    const before = failures.length;
    for (const a of file.assertionResults ?? []) {
      if (a.status === "failed") failures.push({ where, title: a.fullName ?? a.title, message: (a.failureMessages ?? [])[0] ?? "" });
    }
    // A file that failed with none of its tests failed: a beforeAll/afterAll hook threw and its
    // tests were skipped. vitest's counts leave it out; it is a failure all the same.
    if (file.status === "failed" && (file.assertionResults ?? []).length > 0 && failures.length === before) {
      failed++;
      failures.push({ where, title: "(a hook failed; its tests were skipped)", message: file.message ?? "" });
    }
  }
  return { passed, failed, failures, ok: r.status === 0 };
}

const phases =
  extra.length > 0
    ? [phase("selected", [])]
    : [phase("main", EMULATED.flatMap((f) => ["--exclude", f])), phase("emulated-boards", EMULATED)];
const passed = phases.reduce((n, p) => n + p.passed, 0);
const failed = phases.reduce((n, p) => n + p.failed, 0);
// The failures again, last, so that a log's tail names them (a CI log is often read from its end).
const failures = phases.flatMap((p) => p.failures ?? []);
if (failures.length > 0) {
  console.log(`\n== failed tests (${failures.length})`);
  for (const f of failures) {
    const first = String(f.message).split("\n").find((l) => l.trim() !== "") ?? "";
    console.log(`- ${f.where} > ${f.title}\n    ${first.slice(0, 300)}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || phases.some((p) => !p.ok) ? 1 : 0);
