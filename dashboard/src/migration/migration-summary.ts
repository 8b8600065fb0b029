import type { BoardRow } from "../table/board-row.js";

export const AGENT_KINDS = ["bbb-agent", "bbbread", "bbb-daemon"] as const;
export type AgentKindName = (typeof AGENT_KINDS)[number];

export interface SectorProgress {
  sector: string;
  counts: Record<AgentKindName, number>;
  total: number;
  /** Boards still on an old daemon, for the rollout list. */
  legacy: BoardRow[];
}

const collator = new Intl.Collator("en", { numeric: true });
const isKind = (a: string): a is AgentKindName => (AGENT_KINDS as readonly string[]).includes(a);

/** How far the move to bbb-agent is, per sector (docs/migration.md "Watch the migration view"). */
export function migrationSummary(rows: readonly BoardRow[]): { sectors: SectorProgress[]; totals: Record<AgentKindName, number>; total: number } {
  const bySector = new Map<string, SectorProgress>();
  const totals: Record<AgentKindName, number> = { "bbb-agent": 0, bbbread: 0, "bbb-daemon": 0 };
  let total = 0;
  for (const r of rows) {
    if (!isKind(r.agent)) continue;
    const name = r.sector || "(none)";
    let s = bySector.get(name);
    if (!s) bySector.set(name, (s = { sector: name, counts: { "bbb-agent": 0, bbbread: 0, "bbb-daemon": 0 }, total: 0, legacy: [] }));
    s.counts[r.agent]++;
    s.total++;
    totals[r.agent]++;
    total++;
    if (r.agent !== "bbb-agent") s.legacy.push(r);
  }
  const sectors = [...bySector.values()].sort((a, b) => collator.compare(a.sector, b.sector));
  for (const s of sectors) s.legacy.sort((a, b) => collator.compare(a.hostname, b.hostname));
  return { sectors, totals, total };
}

/**
 * The shell command that rolls bbb-agent out to a sector's legacy boards: their IPs into a hosts
 * file, then the package tooling's `bbbctl rollout --hosts FILE --deb PATH` (docs/migration.md).
 */
export function rolloutCommand(sector: string, ips: readonly string[], deb: string): string {
  const file = `hosts-${sector.replace(/[^A-Za-z0-9_-]/g, "_")}.txt`;
  const quote = (s: string) => (/^[A-Za-z0-9_./:-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);
  return `printf '%s\\n' ${ips.map(quote).join(" ")} > ${file} && bbbctl rollout --hosts ${file} --deb ${quote(deb)}`;
}
