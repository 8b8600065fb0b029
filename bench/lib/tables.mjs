import { fmt, pct, table } from "./report.mjs";

const BROKER_NAMES = { ours: "ours (createBroker + hooks)", aedes: "plain Aedes", mosquitto: "mosquitto", floor: "floor: a bare Node relay" };

/** Markdown of the broker tier (figure 1). */
export function brokerMarkdown(res, meta) {
  const rows = [];
  for (const s of res.sizes) {
    for (const [kind, m] of Object.entries(s.median)) {
      const ratio = kind === "ours" ? s.ratioOursToMosquitto : kind === "aedes" ? s.ratioAedesToMosquitto : kind === "ours-ref" ? s.ratioReferenceToMosquitto : kind === "floor" ? s.ratioFloorToMosquitto : 1;
      rows.push([fmt(s.boards, 0), kind === "ours-ref" ? `ours, before (${res.reference ?? "reference build"})` : (BROKER_NAMES[kind] ?? kind), m.connected === undefined ? "–" : `${fmt(m.connected, 0)}${m.busyConnacks ? ` (${fmt(m.busyConnacks, 0)} busy)` : ""}`, fmt(m.msgPerS, 0), fmt(m.cpuUsPerMsg, 1), ratio === null ? null : `${fmt(ratio, 2)}×`, fmt(m.cpuCores, 3), fmt(m.rssMiB, 0), pct(m.delivery, 3), fmt(m.latencyMs?.p50, 2), fmt(m.latencyMs?.p99, 2), m.eventLoopDelayMs ? fmt(m.eventLoopDelayMs.p99, 1) : "–", m.gc ? fmt(m.gc.pauseMsPerS, 1) : "–"]);
    }
  }
  const gcRows = (res.gcCompare?.runs ?? []).map((r) => [
    fmt(r.boards, 0),
    r.kind === "ours" ? "ours, retained bytes (retained-store.ts)" : "ours, Aedes' packet store (before)",
    fmt(r.connected, 0),
    fmt(r.gc?.windowS, 0),
    fmt(r.cpuUsPerMsg, 1),
    fmt(r.rssMiB, 0),
    fmt(r.gc?.pauseMsPerS, 2),
    r.gc ? `${r.gc.minor.n} / ${fmt(r.gc.minor.ms, 0)} / ${fmt(r.gc.minor.max, 1)}` : "–",
    r.gc ? `${r.gc.major.n} / ${fmt(r.gc.major.ms, 0)} / ${fmt(r.gc.major.max, 1)}` : "–",
    r.gc ? `${r.gc.incremental.n} / ${fmt(r.gc.incremental.ms, 0)}` : "–",
    fmt(r.latencyMs?.p99, 1),
  ]);
  return [
    `${meta} Median of ${res.runsPerSize ?? 1} run(s) per row; CPU ratio = median CPU per message / mosquitto's median.`,
    "",
    table(["boards", "broker", "connected", "msg/s", "CPU µs/msg", "× mosquitto", "cores", "RSS MiB", "delivered", "p50 ms", "p99 ms", "loop delay p99 ms", "GC pause ms/s"], rows),
    "",
    ...(gcRows.length
      ? [
          "Garbage collection of our broker with the retained store before and after, back to back in the same run (perf_hooks 'gc' entries over the window: count / total ms / longest ms):",
          "",
          table(["boards", "retained messages kept as", "connected", "window s", "CPU µs/msg", "RSS MiB", "GC pause ms/s", "scavenges n / ms / max", "mark-compacts n / ms / max", "incremental marking n / ms", "p99 ms"], gcRows),
          "",
        ]
      : []),
    "One SUBSCRIBE in Aedes' own in-memory retained store (aedes-persistence, which a single broker no longer uses: retained-store.ts looks up by the first two topic levels), with every board's retained heartbeat and status stored; the last column is the CPU all boards' connects cost (n²/2 scans):",
    "",
    table(["boards", "retained messages", "ms per SUBSCRIBE", "CPU s to connect all boards"], (res.retainedScan ?? []).map((r) => [fmt(r.boards, 0), fmt(r.retained, 0), fmt(r.msPerSubscribe, 2), fmt(r.cpuSecondsToConnectAll, 1)])),
  ].join("\n");
}

export function clusterMarkdown(res, meta) {
  const rows = [];
  for (const s of res.sizes) {
    const single = s.median.single?.cpuUsPerMsg;
    for (const [name, m] of Object.entries(s.median)) {
      rows.push([`${fmt(s.boards, 0)} (${s.runs ?? 1} run${(s.runs ?? 1) > 1 ? "s, median" : ""})`, name, fmt(m.msgPerS, 0), fmt(m.cpuUsPerMsg, 1), single ? `${fmt(m.cpuUsPerMsg / single, 2)}×` : null, fmt(m.redisCpuUsPerMsg, 1), fmt(m.rssMiB, 0), fmt(m.redisRssMiB, 0), pct(m.delivery, 3), fmt(m.latencyMs?.p50, 2), fmt(m.latencyMs?.p99, 2)]);
    }
  }
  return [meta, "", table(["boards", "configuration", "msg/s", "brokers' CPU µs/msg", "× single", "redis CPU µs/msg", "brokers' RSS MiB", "redis RSS MiB", "delivered", "p50 ms", "p99 ms"], rows)].join("\n");
}

const lat = (l) => (l && l.p50 !== null ? `${fmt(l.p50, 1)} / ${fmt(l.p99, 1)}` : "–");

export function systemMarkdown(res, meta) {
  const rows = [];
  for (const s of res.sizes) {
    for (const r of s.runs) {
      const boards = r.design ? `${fmt(s.boards, 0)} (${r.design})` : fmt(s.boards, 0);
      if (r.error) {
        rows.push([boards, "**broke**", r.error.slice(0, 160), null, null, null, null, null, null, null, null, null, null, null]);
        continue;
      }
      const gc = r.gc ? `${fmt(r.gc.major, 0)} / ${fmt(r.gc.majorMaxMs, 0)}` : "–";
      const st = r.stallsOver50Ms ?? null;
      const stalls = st ? `${st.length}${st.length ? ` (max ${fmt(Math.max(...st.map((x) => x.ms)), 0)})` : ""}` : "–";
      rows.push([boards, `${fmt(r.connected, 0)} in ${fmt(r.rampS, 0)} s${r.connectFailures ? ` (${r.connectFailures} refused)` : ""}`, fmt(r.offeredPerS, 0), fmt(r.processedPerS, 0), pct(r.processedRatio, 3), fmt(r.metricsHeartbeatsPerS, 0), fmt(r.cpuCores, 2), fmt(r.rssMiB, 0), lat(r.decodeLatencyMs), lat(r.registryLatencyMs), lat(r.eventLoopDelayMs), gc, stalls, fmt(r.generatorCores, 2)]);
    }
  }
  const ref = res.reference ? ` Each size ran on the previous design (reference ${res.reference}) and on this build, one after the other.` : "";
  return [meta + ref, "", table(["boards", "connected", "offered beats/s", "processed/s", "processed", "/metrics beats/s", "server cores", "server RSS MiB", "beat → manager p50 / p99 ms", "beat → registry/hosts p50 / p99 ms", "server event-loop delay p50 / p99 ms", "major GCs / longest ms", "stalls > 50 ms (max ms)", "generator cores"], rows)].join("\n");
}

const heldNote = (r) => (r.tried?.length ? `Asked for ${fmt(r.requested, 0)} boards; ${r.tried.map((t) => `${fmt(t.boards, 0)} did not hold (${t.error})`).join("; ")}; measured with ${fmt(r.boards, 0)}.` : "");

export function detectionMarkdown(r, meta) {
  return [
    meta,
    heldNote(r),
    "",
    table(
      ["with boards running", "event", "boards", "→ `lost` p50 ms", "p99 ms", "max ms", "never lost"],
      [
        [fmt(r.connected, 0), "`kill -9` of the boards' process (sockets closed by the kernel, broker sends the wills)", r.crashToLostMs.n, fmt(r.crashToLostMs.p50, 1), fmt(r.crashToLostMs.p99, 1), fmt(r.crashToLostMs.max, 1), r.missingCrash],
        [fmt(r.connected, 0), "`SIGSTOP` of the boards' process (silent, sockets open)", r.freezeToLostMs.n, fmt(r.freezeToLostMs.p50, 1), fmt(r.freezeToLostMs.p99, 1), fmt(r.freezeToLostMs.max, 1), r.missingFreeze],
      ],
    ),
  ].join("\n");
}

export function commandsMarkdown(r, meta) {
  const m = r.mosquittoPubToAcceptedMs;
  const rows = [
    ["`mosquitto_pub -q 1` → `accepted`, real agent process", m.agent.n, fmt(m.agent.p50, 1), fmt(m.agent.p99, 1)],
    ["`mosquitto_pub -q 1` → `accepted`, generated board", m.generated.n, fmt(m.generated.p50, 1), fmt(m.generated.p99, 1)],
    ["`mosquitto_pub` run time alone (connect with password, publish, disconnect)", r.mosquittoPubRuntimeMs.n, fmt(r.mosquittoPubRuntimeMs.p50, 1), fmt(r.mosquittoPubRuntimeMs.p99, 1)],
    ["connected operator client publish → `accepted`", r.connectedClientToAcceptedMs?.n, fmt(r.connectedClientToAcceptedMs?.p50, 1), fmt(r.connectedClientToAcceptedMs?.p99, 1)],
    ["one scrypt password check (N=2^15, r=8) on this machine", r.scryptVerifyMs?.n, fmt(r.scryptVerifyMs?.p50, 1), fmt(r.scryptVerifyMs?.p99, 1)],
  ];
  const bulk = r.bulkReboot.map((b) => [`\`hosts.command\` reboot, 600 boards, options ${JSON.stringify(b.options)}`, b.outcomes, fmt(b.elapsedMs, 0), b.status === "ok" ? Object.entries(b.counts ?? {}).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", ") : JSON.stringify(b.error)]);
  return [meta, heldNote(r), "", `Under ${fmt(r.connected, 0)} boards at 1 Hz${r.unanswered ? `; ${r.unanswered} commands got no \`accepted\` within 5 s` : ""}.`, "", table(["round trip", "n", "p50 ms", "p99 ms"], rows), "", table(["bulk command (MQTT request/response to the manager)", "outcomes", "until all results are in, ms", "outcomes by status"], bulk)].join("\n");
}

/** One row per measured agent run (bench/phases/agent.mjs `measure`). */
const agentRuns = (first, runs) =>
  table([first, "beats measured", "RSS MiB", "peak RSS MiB", "CPU ms per heartbeat", "CPU % at 1 Hz"], runs.map((x) => [x.program, x.beats, fmt(x.rssMiB, 1), fmt(x.peakRssMiB, 1), fmt(x.cpuMsPerBeat, 2), fmt(x.cpuPct, 2)]));

export function agentArmhfMarkdown(r, meta) {
  return [
    meta,
    "",
    agentRuns("runtime", r.runs),
    "",
    `Ratio qemu / native, now: RSS ${fmt(r.ratio.rss, 2)}×, CPU per heartbeat ${fmt(r.ratio.cpuPerBeat, 1)}×${r.ratioBefore ? `; before (${r.reference}): RSS ${fmt(r.ratioBefore.rss, 2)}×, CPU per heartbeat ${fmt(r.ratioBefore.cpuPerBeat, 1)}×` : ""}. All rows ran at the same time, each its own board on one broker.`,
  ].join("\n");
}

export function agentMarkdown(r, meta) {
  const bare = typeof r.bareNodeRssMiB === "object" ? Object.entries(r.bareNodeRssMiB).map(([v, m]) => `${fmt(m, 1)} MiB (Node ${v})`).join(", ") : `${fmt(r.bareNodeRssMiB, 1)} MiB`;
  return [
    meta,
    "",
    agentRuns("agent program, runtime, design", r.runs),
    "",
    `Bundle \`agent/dist-bundle/bbb-agent.cjs\`: ${r.bundleBytes === null ? "not built" : `${fmt(r.bundleBytes / 1024, 0)} KiB`}${r.referenceBundleBytes ? ` (before: ${fmt(r.referenceBundleBytes / 1024, 0)} KiB)` : ""}. Node flags now: \`${(r.nodeArgs ?? []).join(" ")}\`${r.referenceNodeArgs ? `; before: \`${r.referenceNodeArgs.join(" ")}\`` : ""}. All rows ran at the same time, each its own board on one broker. A bare \`node -e "setInterval(() => {}, 1000)"\` has ${bare} RSS on this machine.`,
  ].join("\n");
}

export function externalMarkdown(res, meta) {
  const rows = [];
  for (const s of res.sizes) {
    for (const r of s.rows) {
      if (r.error) {
        rows.push([fmt(s.boards, 0), r.config, "**broke**", r.error.slice(0, 160), null, null, null, null, null, null]);
        continue;
      }
      rows.push([fmt(r.boards, 0), r.config, `${fmt(r.connected, 0)} in ${fmt(r.rampS, 0)} s`, fmt(r.offeredPerS, 0), pct(r.processedRatio, 3), fmt(r.cpuCores, 2), r.brokerCores === null ? "–" : fmt(r.brokerCores, 2), fmt(r.rssMiB, 0), lat(r.decodeLatencyMs), lat(r.registryLatencyMs)]);
    }
  }
  return [meta, "", table(["boards", "system", "connected", "offered beats/s", "processed", "system cores", "of which mosquitto", "system RSS MiB", "beat → manager p50 / p99 ms", "beat → registry/hosts p50 / p99 ms"], rows)].join("\n");
}

/** Server restart with N boards (restart phase). */
export function restartMarkdown(res, meta) {
  const name = (r) => `${r.design ?? "this build"}${r.round ? `, run ${r.round}` : ""}`;
  const rows = res.runs.map((r) =>
    r.error
      ? [name(r), fmt(r.boards, 0), "**broke**", r.error.slice(0, 160), null, null, null, null, null]
      : [
          name(r),
          `${fmt(r.boards, 0)} + ${fmt(r.victims, 0)}`,
          `${fmt(r.restartS, 1)} s`,
          r.allAliveS === null ? `not within ${fmt(r.timeoutS, 0)} s` : `${fmt(r.allAliveS, 1)} s (${fmt(r.allAliveAfterUpS, 1)} s after it was ready)`,
          fmt(r.lostFlashed, 0),
          fmt(r.lostAtEnd, 0),
          fmt(r.historyLostSinceKill, 0),
          `${fmt(r.victimsLostAtEnd, 0)} of ${fmt(r.victims, 0)}`,
          fmt(r.awaitingAtEnd, 0),
        ],
  );
  return [
    `${meta} Grace for boards of the last run: ${fmt(res.graceMs / 1000, 0)} s (default); the end is read ${fmt(res.graceMs / 1000 + 5, 0)} s after the server was ready.`,
    "",
    table(["server", "boards + victims", "kill → server ready (every port; the broker listens earlier)", "kill → every surviving board alive in registry/hosts", "survivors shown `lost` meanwhile", "survivors `lost` at the end", "survivors' `lost` in history since the kill", "victims `lost` at the end (true alarms)", "`awaiting-reconnect` at the end"], rows),
  ].join("\n");
}

/** The manager's heartbeat path alone (manager-path phase). */
export function managerPathMarkdown(res, meta) {
  const rows = res.runs.map((r) => [
    r.design,
    r.run,
    fmt(r.boards, 0),
    fmt(r.beats, 0),
    fmt(r.cpuUsPerBeat, 1),
    fmt(r.oldGarbageMbPerS, 1),
    fmt(r.oldGarbageBytesPerBeat, 0),
    `${fmt(r.majorGcs, 0)} (${fmt(r.majorGcsPerMinute, 1)}/min)`,
    fmt(r.heapAfterMajorMb, 0),
    `${fmt(r.published.retained, 0)} / ${fmt(r.published.other, 0)}`,
    fmt(r.published.bytes / 1048576 / (r.beats / r.boards), 2),
  ]);
  return [meta, "", table(["manager", "run", "boards", "beats", "CPU µs per beat", "old-generation garbage MB per s (at 1 Hz)", "… bytes per beat", "mark-compacts", "heap after a mark-compact MB", "messages published retained / not", "MiB published per s"], rows)].join("\n");
}
