import { fmt, table } from "./report.mjs";

const lat = (l) => (l && l.p50 !== null ? `${fmt(l.p50, 1)} / ${fmt(l.p99, 1)}` : "–");
const ms3 = (d) => (d ? `${fmt(d.p50, 1)} / ${fmt(d.p99, 1)} / ${fmt(d.max, 1)} ms` : "–");
const mib = (b) => `${fmt(b / 1024 / 1024, 1)} MiB`;

/** Markdown of the health history phase. */
export function healthMarkdown(r, meta) {
  const sys = (r.system ?? []).map((s) =>
    s.error
      ? [s.history ? "on" : "off", "**broke**", s.error.slice(0, 120), null, null, null]
      : [s.history ? "on" : "off", fmt(s.connected, 0), fmt(s.processedPerS, 0), lat(s.registryLatencyMs), lat(s.eventLoopDelayMs), fmt(s.cpuCores, 2)],
  );
  return [
    meta,
    "",
    table(
      ["boards", "observe() per beat", "main thread: longest event-loop delay while a minute is handed over (the same window idle), p50 / p99 / max", "commit per minute in the writer thread p50 / p99 / max", "bytes per point", "per board per day", "10,000 boards, 48 h + 90 d", "longest prune step (writer thread)"],
      [[fmt(r.boards, 0), `${fmt(r.observeNsPerBeat, 0)} ns`, `${ms3(r.handOverMsPerMinute)} (${ms3(r.idleLoopMs)})`, ms3(r.writeMsPerMinute), fmt(r.bytesPerPoint, 1), `${fmt(r.bytesPerBoardPerDay / 1024, 1)} KiB`, mib(r.bytesAt10kFor48hAnd90d), `${fmt(r.pruneStepMs.max, 1)} ms (${r.pruneStepMs.steps} steps of 25 boards for an hour)`]],
    ),
    "",
    table(["history", "boards connected", "processed beats/s", "beat → registry/hosts p50 / p99 ms", "server event-loop delay p50 / p99 ms", "server cores"], sys),
  ].join("\n");
}
