import { availableParallelism } from "node:os";
import { fmt, pct, table } from "./report.mjs";

/** The target of the clustered tier (issue's row): every board connected, every beat processed, beat → manager p99 ≤ 250 ms. */
export const CLUSTER_P99_MS = 250;

const lat = (l) => (l && l.p50 !== null ? `${fmt(l.p50, 1)} / ${fmt(l.p99, 1)}` : "–");

/** Whether a size held, and if not, why (connected, kept, processed, latency). */
export function clusterVerdict(r) {
  if (r.error) return { held: false, why: `broke: ${r.error.slice(0, 200)}` };
  const why = [];
  if (r.connected < r.boards) why.push(`only ${fmt(r.connected, 0)} of ${fmt(r.boards, 0)} connected`);
  if (r.connectedAtEnd < r.connected) why.push(`${fmt(r.connected - r.connectedAtEnd, 0)} dropped during the run`);
  if (!(r.processedRatio >= 0.9999)) why.push(`${pct(r.processedRatio, 3)} of beats processed`);
  if (!(r.decodeLatencyMs?.p99 <= CLUSTER_P99_MS)) why.push(`beat → manager p99 ${fmt(r.decodeLatencyMs?.p99, 0)} ms`);
  return { held: why.length === 0, why: why.join("; ") };
}

/** The group with the busiest main thread of a reading, as "name main-thread cores (all threads)". */
function busiest(groups) {
  const [name, g] = Object.entries(groups ?? {}).sort((a, b) => b[1].mainCores - a[1].mainCores)[0] ?? [];
  return name ? `${name} ${fmt(g.mainCores, 2)} (${fmt(g.cores, 2)})` : "–";
}

/** About every `stepS` seconds of a timeline, and its last entry. */
function thin(entries, stepS) {
  let next = 0;
  return entries.filter((e, i) => {
    if (e.s < next && i < entries.length - 1) return false;
    next = e.s + stepS;
    return true;
  });
}

/** Markdown of the cluster-system phase: one row per size, each process's share, and the timeline of the sizes that did not hold. */
export function clusterSystemMarkdown(res, meta) {
  const cores = availableParallelism();
  const rows = res.sizes.map((r) => {
    const v = clusterVerdict(r);
    const verdict = v.held ? "**held**" : `**did not hold**: ${v.why}`;
    const replicas = r.replicas ? `, ${r.replicas} replicas` : "";
    if (r.error) return [`${fmt(r.boards, 0)} (${r.workers + 1}${replicas})`, null, null, null, null, null, null, null, null, verdict];
    return [`${fmt(r.boards, 0)} (${r.processes?.generator?.processes ?? r.workers + 1}${replicas})`, `${fmt(r.connected, 0)} in ${fmt(r.rampS, 0)} s${r.connectFailures ? ` (${fmt(r.connectFailures, 0)} refused)` : ""}`, fmt(r.connectedAtEnd, 0), fmt(r.offeredPerS, 0), pct(r.processedRatio, 3), lat(r.decodeLatencyMs), lat(r.registryLatencyMs), fmt(r.eventLoopDelayMs?.p99, 1), fmt(r.machineCores, 2), verdict];
  });
  const procRows = res.sizes.flatMap((r) =>
    Object.entries(r.processes ?? {}).map(([name, g]) => [fmt(r.boards, 0), g.processes > 1 ? `${name} (${g.processes} processes)` : name, fmt(g.cores, 2), fmt(g.mainCores, 2), fmt(g.waitCores, 2), fmt(g.rssMiB, 0), g.openFiles === null ? "–" : fmt(g.openFiles, 0)]),
  );
  const diagRows = res.sizes
    .filter((r) => r.diagnostics)
    .map(({ boards, diagnostics: d }) => [fmt(boards, 0), fmt(d.redis.pubsubPatterns, 0), fmt(d.redis.publish.calls / d.seconds, 0), fmt(d.redis.publish.usecPerCall, 1), fmt(d.redis.commands / d.seconds, 0), d.redis.outputBufferDisconnections ?? "–", Object.entries(d.replicaErrors).map(([k, n]) => `${k}: ${n}`).join(", ")]);
  const notHeld = res.sizes.filter((r) => !clusterVerdict(r).held && r.timeline?.length);
  const tlRows = notHeld.flatMap((r) =>
    thin(r.timeline, 10).map((e) => [fmt(r.boards, 0), fmt(e.s, 0), fmt(e.connected, 0), fmt(e.machineCores, 2), busiest(e.groups), Object.entries(e.openFiles ?? {}).filter(([k]) => k.startsWith("replica")).map(([k, n]) => `${k}: ${fmt(n, 0)}`).join(", ")]),
  );
  return [
    `${meta} Target: every board connected and kept, ≥ 99.99 % of beats processed by the manager, beat → manager p99 ≤ ${CLUSTER_P99_MS} ms, no process over the file limit. Boards in the first column with the generator's processes (and the broker replicas) in brackets.`,
    "",
    table(["boards (generator processes)", "connected", "still connected at the end", "offered beats/s", "processed", "beat → manager p50 / p99 ms", "beat → registry/hosts p50 / p99 ms", "manager event-loop delay p99 ms", `machine busy cores (of ${cores})`, "verdict"], rows),
    "",
    "Each process over the measuring window: cores of all its threads, its main thread alone (1.00 = a saturated event loop), time its threads were ready to run but waited for a core, peak RSS, open files at the end:",
    "",
    table(["boards", "process", "cores", "main thread cores", "waiting for a core (cores)", "RSS MiB", "open files"], procRows),
    ...(diagRows.length
      ? [
          "",
          "Redis from the window's start to the end of the drain (`INFO` after `CONFIG RESETSTAT`): pattern subscriptions (none since the replicas route by filter sets, docs/architecture.md §\"Routing between replicas\"; the former routing made one per distinct wildcard filter of any client, and Redis tested every PUBLISH against every pattern), PUBLISH calls and their cost, all commands; the replicas' error log lines over the run:",
          "",
          table(["boards", "pattern subscriptions", "PUBLISH /s", "µs per PUBLISH", "Redis commands /s", "subscribers cut at the output-buffer limit", "replicas' error lines"], diagRows),
        ]
      : []),
    ...(tlRows.length
      ? [
          "",
          "Timeline of the sizes that did not hold (about every 10 s from the start of the ramp; cores over the interval before each line):",
          "",
          table(["boards", "s", "connected", "machine busy cores", "busiest main thread (all threads)", "replicas' open files"], tlRows),
        ]
      : []),
  ].join("\n");
}
