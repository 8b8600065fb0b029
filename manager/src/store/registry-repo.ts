import { nodeSchema, sectorSchema, typeSchema, type BoardType, type Node, type Sector } from "@bbb/shared";
import type { Db } from "./open-db.js";
import type { HistoryInput, HistoryRepo } from "./history-repo.js";

/**
 * Nodes, types and sectors. Each edit and its audit record are written in one transaction.
 * Rows are re-parsed with the shared schemas on load: a row written by an older version that
 * no longer validates is reported, not silently used.
 */
export function createRegistryRepo(db: Db, history: HistoryRepo) {
  const s = {
    nodes: db.prepare("SELECT data FROM nodes ORDER BY hostname"),
    nodeUpsert: db.prepare(
      "INSERT INTO nodes (hostname, board_id, data, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (hostname) DO UPDATE SET board_id = excluded.board_id, data = excluded.data, updated_at = excluded.updated_at",
    ),
    nodeDelete: db.prepare("DELETE FROM nodes WHERE hostname = ?"),
    nodeClearBoard: db.prepare("SELECT data FROM nodes WHERE board_id = ? AND hostname <> ?"),
    types: db.prepare("SELECT data FROM types ORDER BY name"),
    typeUpsert: db.prepare(
      "INSERT INTO types (name, data, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
    ),
    typeDelete: db.prepare("DELETE FROM types WHERE name = ?"),
    sectors: db.prepare("SELECT data FROM sectors ORDER BY position, name"),
    seeded: db.prepare("SELECT value FROM meta WHERE key = 'sectors-seeded'"),
    markSeeded: db.prepare("INSERT INTO meta (key, value) VALUES ('sectors-seeded', '1')"),
    sectorMaxPos: db.prepare("SELECT COALESCE(MAX(position), -1) AS p FROM sectors"),
    sectorPos: db.prepare("SELECT position FROM sectors WHERE name = ?"),
    sectorUpsert: db.prepare(
      "INSERT INTO sectors (name, position, data) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET data = excluded.data",
    ),
    sectorDelete: db.prepare("DELETE FROM sectors WHERE name = ?"),
  };
  const audit = (e: HistoryInput | null) => {
    if (e) history.appendOne(e);
  };
  const load = <T>(rows: unknown[], parse: (v: unknown) => T | null): T[] => {
    const out: T[] = [];
    for (const r of rows as { data: string }[]) {
      const v = parse(JSON.parse(r.data) as unknown);
      if (v !== null) out.push(v);
    }
    return out;
  };
  const safe =
    <T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }) =>
    (v: unknown): T | null => {
      const r = schema.safeParse(v);
      return r.success ? r.data : null;
    };
  return {
    listNodes: (): Node[] => load(s.nodes.all(), safe(nodeSchema)),
    listTypes: (): BoardType[] => load(s.types.all(), safe(typeSchema)),
    listSectors: (): Sector[] => load(s.sectors.all(), safe(sectorSchema)),
    /**
     * Writes a node. A board id can be bound to one node only: binding it here unbinds it
     * elsewhere (returned, so the caller can republish those nodes).
     */
    upsertNode(node: Node, e: HistoryInput | null, previousHostname?: string): Node[] {
      return db.transaction(() => {
        const unbound: Node[] = [];
        if (node.boardId !== null) {
          for (const other of load(s.nodeClearBoard.all(node.boardId, node.hostname), safe(nodeSchema))) {
            const o = { ...other, boardId: null };
            s.nodeUpsert.run(o.hostname, null, JSON.stringify(o), Date.now());
            unbound.push(o);
          }
        }
        if (previousHostname !== undefined && previousHostname !== node.hostname) s.nodeDelete.run(previousHostname);
        s.nodeUpsert.run(node.hostname, node.boardId, JSON.stringify(node), Date.now());
        audit(e);
        return unbound;
      })();
    },
    removeNode(hostname: string, e: HistoryInput | null): boolean {
      return db.transaction(() => {
        const n = s.nodeDelete.run(hostname).changes;
        if (n > 0) audit(e);
        return n > 0;
      })();
    },
    upsertType(t: BoardType, e: HistoryInput | null): void {
      db.transaction(() => {
        s.typeUpsert.run(t.name, JSON.stringify(t), Date.now());
        audit(e);
      })();
    },
    removeType(name: string, e: HistoryInput | null): boolean {
      return db.transaction(() => {
        const n = s.typeDelete.run(name).changes;
        if (n > 0) audit(e);
        return n > 0;
      })();
    },
    upsertSector(sec: Sector, e: HistoryInput | null): void {
      db.transaction(() => {
        const pos = s.sectorPos.get(sec.name) as { position: number } | undefined;
        const position = pos?.position ?? (s.sectorMaxPos.get() as { p: number }).p + 1;
        s.sectorUpsert.run(sec.name, position, JSON.stringify(sec));
        audit(e);
      })();
    },
    removeSector(name: string, e: HistoryInput | null): boolean {
      return db.transaction(() => {
        const n = s.sectorDelete.run(name).changes;
        if (n > 0) audit(e);
        return n > 0;
      })();
    },
    /** Seeds the default sector table on the first start only (later edits, even "none", stay). */
    seedSectors(sectors: readonly Sector[]): boolean {
      return db.transaction(() => {
        if (s.seeded.get() !== undefined) return false;
        s.markSeeded.run();
        sectors.forEach((sec, i) => s.sectorUpsert.run(sec.name, i, JSON.stringify(sec)));
        return true;
      })();
    },
  };
}
export type RegistryRepo = ReturnType<typeof createRegistryRepo>;
