import { fmt, pct, table } from "./report.mjs";

/** Markdown of the broker tier (figure 1). */
export function brokerMarkdown(res, meta) {
  const rows = [];
  for (const s of res.sizes) {
    for (const [kind, m] of Object.entries(s.median)) {
      const ratio = kind === "ours" ? s.ratioOursToMosquitto : kind === "aedes" ? s.ratioAedesToMosquitto : 1;
      rows.push([fmt(s.boards, 0), kind === "ours" ? "ours (createBroker + hooks)" : kind === "aedes" ? "plain Aedes" : "mosquitto", fmt(m.msgPerS, 0), fmt(m.cpuUsPerMsg, 1), ratio === null ? null : `${fmt(ratio, 2)}×`, fmt(m.cpuCores, 3), fmt(m.rssMiB, 0), pct(m.delivery, 3), fmt(m.latencyMs?.p50, 2), fmt(m.latencyMs?.p99, 2), m.eventLoopDelayMs ? fmt(m.eventLoopDelayMs.p99, 1) : "–"]);
    }
  }
  return [
    `${meta}`,
    "",
    table(["boards", "broker", "msg/s", "CPU µs/msg", "× mosquitto", "cores", "RSS MiB", "delivered", "p50 ms", "p99 ms", "loop delay p99 ms"], rows),
  ].join("\n");
}

export function clusterMarkdown(res, meta) {
  const rows = [];
  for (const s of res.sizes) {
    const single = s.median.single?.cpuUsPerMsg;
    for (const [name, m] of Object.entries(s.median)) {
      rows.push([fmt(s.boards, 0), name, fmt(m.msgPerS, 0), fmt(m.cpuUsPerMsg, 1), single ? `${fmt(m.cpuUsPerMsg / single, 2)}×` : null, fmt(m.redisCpuUsPerMsg, 1), fmt(m.rssMiB, 0), fmt(m.redisRssMiB, 0), pct(m.delivery, 3), fmt(m.latencyMs?.p50, 2), fmt(m.latencyMs?.p99, 2)]);
    }
  }
  return [meta, "", table(["boards", "configuration", "msg/s", "brokers' CPU µs/msg", "× single", "redis CPU µs/msg", "brokers' RSS MiB", "redis RSS MiB", "delivered", "p50 ms", "p99 ms"], rows)].join("\n");
}
