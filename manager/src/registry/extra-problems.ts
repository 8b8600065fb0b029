import { hostnameToEpics, type BoardType, type Problem } from "@bbb/shared";
import type { BoardRecord } from "./board-record.js";
import { currentIocs, iocProblems } from "./ioc-problems.js";
import { healthProblems } from "./health-watch.js";

export interface ExtraProblemContext {
  flap: { maxChanges: number; windowMs: number };
  /** Board clock minus receive time, when beyond the tolerance. */
  skew: number | undefined;
  types: ReadonlyMap<string, BoardType>;
  /** Hostnames of the nodes registered with a manual IP. */
  nodesWithIp?: (ip: string) => readonly string[];
}

/**
 * Problems beside the node mismatches of the shared evaluation: flapping, a duplicate
 * connection, failed services, a skewed clock, an unregistered type, an IP another node owns.
 */
export function boardExtraProblems(rec: BoardRecord, t: number, ctx: ExtraProblemContext): Problem[] {
  const out: Problem[] = [];
  if (rec.restoredUntil !== null && rec.alive)
    out.push({ code: "awaiting-reconnect", message: "not reconnected since the manager restarted" });
  if (rec.flapping)
    out.push({
      code: "flapping",
      message: `changed state more than ${ctx.flap.maxChanges} times in ${Math.round(ctx.flap.windowMs / 60_000)} min`,
    });
  if (rec.duplicateUntil > t)
    out.push({ code: "duplicate-connection", message: "another connection used this board id" });
  if (rec.failedServices.length > 0 && rec.alive) {
    out.push({
      code: "service-failed",
      actual: rec.failedServices.join(","),
      message: `failed services: ${rec.failedServices.join(", ")}`,
    });
  }
  const skew = ctx.skew;
  if (skew !== undefined && rec.alive) {
    // Liveness uses receive time (lastSeen), so a wrong board clock is a problem, not a state.
    out.push({
      code: "clock-skew",
      actual: String(Math.round(skew / 1000)),
      message: `board clock is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? "ahead" : "behind"}`,
    });
  }
  const iocs = rec.alive ? currentIocs(rec.iocs, rec.live.session) : null;
  if (iocs) out.push(...iocProblems(iocs));
  const hb = rec.live.heartbeat;
  if (hb && ctx.types.size > 0 && !ctx.types.has(hb.type)) {
    out.push({ code: "unknown-type", actual: hb.type, message: `type ${hb.type || "(none)"} is not registered` });
  }
  out.push(...healthProblems(rec));
  // The IP belongs to another node: its board (now or when it comes back) collides with this one.
  const owners = hb && rec.alive ? (ctx.nodesWithIp?.(hb.ip) ?? []).filter((h) => h !== rec.nodeHost) : [];
  if (hb && owners.length > 0) {
    out.push({
      code: "conflict-node-ip",
      field: "ip",
      actual: hb.ip,
      with: owners.slice(0, 64),
      message: `IP ${hb.ip} is registered to node ${owners.map(hostnameToEpics).join(", ")}`,
    });
  }
  return out;
}
