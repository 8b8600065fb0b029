#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describeMachine, machineLine } from "./lib/machine.mjs";
import { replaceSection, writeJson } from "./lib/report.mjs";
import { stopAll, liveCount } from "./lib/children.mjs";
import { progress } from "./lib/progress.mjs";
import { PHASES, PHASE_NAMES } from "./phases/index.mjs";
import { targetsMarkdown } from "./lib/targets.mjs";

/**
 * `npm run bench [-- --quick] [--only broker,system,...]`: runs the benchmark phases of BENCHMARKS.md
 * (`--quick`: small sizes and short windows, without the phases that cannot be quick),
 * writes raw results to bench/results/<phase>.json and the tables into BENCHMARKS.md between
 * per-phase markers (a rerun replaces only what it measured).
 */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const onlyIdx = args.indexOf("--only");
const named = onlyIdx >= 0 ? (args[onlyIdx + 1] ?? "").split(",").filter(Boolean) : null;
// --quick leaves out the phases that cannot be made quick (phases/index.mjs) unless they are named.
const only = named ?? PHASE_NAMES.filter((p) => !quick || PHASES[p].quick !== false);
const noWrite = args.includes("--no-write");
const unknown = only.filter((p) => !PHASE_NAMES.includes(p));
if (unknown.length || args.includes("--help")) {
  process.stderr.write(`usage: npm run bench -- [--quick] [--only ${PHASE_NAMES.join("|")}[,...]] [--no-write]\n`);
  process.exit(unknown.length ? 2 : 0);
}

let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    progress("bench", `${sig}: stopping ${liveCount()} processes`);
    stopAll().finally(() => process.exit(130));
  });
}

if (quick && !named) progress("bench", `quick run: ${PHASE_NAMES.filter((p) => !only.includes(p)).join(", ")} left out (name them with --only)`);

let failed = 0;
try {
  for (const name of only) {
    const machine = describeMachine();
    progress("bench", `phase ${name}${quick ? " (quick)" : ""}: load average ${machine.loadAvgBefore.join(" / ")}`);
    const started = Date.now();
    try {
      const phase = PHASES[name];
      const result = await phase.run({ quick, root: ROOT });
      const meta = `Measured ${machine.date.slice(0, 16).replace("T", " ")} UTC${quick ? " (quick run: small sizes, short windows — not the reference figures)" : ""} in ${Math.round((Date.now() - started) / 1000)} s. Machine: ${machineLine(machine)}.`;
      // BENCH_DUMP=<dir>: with --no-write, each phase's results go there instead (exploratory runs).
      if (noWrite && process.env.BENCH_DUMP) writeJson(join(process.env.BENCH_DUMP, `${name}${quick ? ".quick" : ""}.json`), { machine, quick, result });
      if (!noWrite) {
        writeJson(join(ROOT, "bench", "results", `${name}${quick ? ".quick" : ""}.json`), { machine, quick, result });
        replaceSection(join(ROOT, "BENCHMARKS.md"), name, phase.markdown(result, meta));
      }
      progress("bench", `phase ${name} done in ${Math.round((Date.now() - started) / 1000)} s`);
    } catch (e) {
      failed++;
      progress("bench", `phase ${name} failed: ${e?.stack ?? e}`);
    } finally {
      await stopAll();
    }
  }
  if (!noWrite && !quick) replaceSection(join(ROOT, "BENCHMARKS.md"), "targets", targetsMarkdown(join(ROOT, "bench", "results")));
} finally {
  await stopAll();
}
process.exit(failed ? 1 : 0);
