import { fmt, table } from "./report.mjs";

const lat = (l) => (l && l.p50 !== null ? `${fmt(l.p50, 1)} / ${fmt(l.p99, 1)}` : "–");
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
      ["boards", "observe() per beat", "write per minute p50 / p99 / max", "per 200-point transaction (one event-loop turn)", "bytes per point", "per board per day", "10,000 boards, 48 h + 90 d", "longest prune step"],
      [[fmt(r.boards, 0), `${fmt(r.observeNsPerBeat, 0)} ns`, `${fmt(r.writeMsPerMinute.p50, 1)} / ${fmt(r.writeMsPerMinute.p99, 1)} / ${fmt(r.writeMsPerMinute.max, 1)} ms`, `${fmt(r.msPer200Points ?? r.msPer500Points * 0.4, 2)} ms`, fmt(r.bytesPerPoint, 1), `${fmt(r.bytesPerBoardPerDay / 1024, 1)} KiB`, mib(r.bytesAt10kFor48hAnd90d), `${fmt(r.pruneStepMs.max, 1)} ms (${r.pruneStepMs.steps} steps of 25 boards for an hour)`]],
    ),
    "",
    table(["history", "boards connected", "processed beats/s", "beat → registry/hosts p50 / p99 ms", "server event-loop delay p50 / p99 ms", "server cores"], sys),
  ].join("\n");
}
