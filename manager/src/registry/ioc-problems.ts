import type { IocsPayload, Problem } from "@bbb/shared";

const MAX_TEXT = 512;
const clip = (s: string) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s);
const names = (l: readonly string[]) => clip(l.join(","));

/** A report of the board's current session; an older one (retained from before a restart) says nothing. */
export function currentIocs(iocs: IocsPayload | null, session: string | null): IocsPayload | null {
  return iocs !== null && iocs.session === session ? iocs : null;
}

/**
 * The IOC problems of a board (docs/epics.md §"Problems"): a dead IOC, its silent PVs, a
 * heartbeat PV that stopped, a PV answered by more than one server. One problem per IOC and
 * kind, naming the PVs, so an IOC with many PVs does not flood the list.
 */
export function iocProblems(iocs: IocsPayload): Problem[] {
  const out: Problem[] = [];
  for (const ioc of iocs.iocs) {
    if (ioc.running === false) {
      out.push({
        code: "ioc-down",
        field: ioc.name,
        ...(ioc.detail !== undefined ? { actual: ioc.detail } : {}),
        message: clip(`IOC ${ioc.name} is not running${ioc.detail !== undefined ? ` (${ioc.detail})` : ""}`),
      });
    }
    const silent = ioc.pvs.filter((p) => p.state === "silent").map((p) => p.pv);
    if (silent.length > 0) {
      out.push({
        code: "pv-silent",
        field: ioc.name,
        actual: names(silent),
        message: clip(`IOC ${ioc.name}: ${silent.length === 1 ? "PV" : `${silent.length} PVs`} not answering over Channel Access: ${silent.join(", ")}`),
      });
    }
    const stuck = ioc.pvs.filter((p) => p.state === "stuck");
    if (stuck.length > 0) {
      out.push({
        code: "pv-stuck",
        field: ioc.name,
        actual: names(stuck.map((p) => p.pv)),
        message: clip(
          `IOC ${ioc.name}: heartbeat ${stuck.map((p) => `${p.pv} unchanged for more than ${p.heartbeatS ?? "?"} s`).join(", ")}`,
        ),
      });
    }
    for (const p of ioc.pvs) {
      if (p.servers.length < 2) continue;
      out.push({
        code: "conflict-pv-served",
        field: "PV",
        actual: p.pv,
        with: p.servers.slice(0, 64),
        message: clip(`PV ${p.pv} is answered by ${p.servers.length} servers: ${p.servers.join(", ")}`),
      });
    }
  }
  return out;
}

/** Conflict index keys (`v:<pv>`): PVs that answer on this board, which no other live board may serve. */
export function servedPvKeys(iocs: IocsPayload | null): string[] {
  if (iocs === null) return [];
  const out: string[] = [];
  for (const ioc of iocs.iocs) for (const p of ioc.pvs) if (p.state === "ok" || p.state === "stuck") out.push(`v:${p.pv}`);
  return [...new Set(out)].sort();
}
