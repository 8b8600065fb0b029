import type { BoardType, Node, Sector, Topics } from "@bbb/shared";
import { conflict, notFound } from "../errors.js";
import type { Publisher } from "../publisher/create-publisher.js";
import type { Store } from "../store/create-store.js";
import type { Registry } from "./create-registry.js";
import { redactType } from "./type-secrets.js";

export interface EditorDeps {
  now: () => number;
  store: Store;
  registry: Registry;
  publisher: Publisher;
  topics: Topics;
}

/** Who made an edit, for the audit trail. */
export interface Actor {
  by: string;
  via: string;
}

/** Type edits for the project store (a new source means a refresh); must not throw. */
export type TypeListener = (after: BoardType | null, before: BoardType | null) => void;

/**
 * Registry edits: the store first (edit + audit in one transaction), then the in-memory
 * registry and the retained topics. Batch forms exist for imports (one re-evaluation).
 */
export function createRegistryEditor(deps: EditorDeps) {
  const { store, registry, publisher, topics } = deps;
  const audit = (
    who: Actor,
    message: string,
    data: unknown,
    hostname: string | null = null,
    boardId: string | null = null,
  ) => ({
    ts: deps.now(),
    kind: "registry" as const,
    boardId,
    hostname,
    by: who.by,
    message,
    data: { via: who.via, ...(data as object) },
  });
  const reloadNodes = () => registry.setNodes(store.registry.listNodes());
  const typeListeners = new Set<TypeListener>();
  const emitType = (after: BoardType | null, before: BoardType | null) => {
    for (const l of [...typeListeners]) {
      try {
        l(after, before);
      } catch {
        // A listener's failure (the project store logs its own) must not undo a stored edit.
      }
    }
  };

  return {
    /** Called after a type is created, changed (after, before) or removed (null, before). */
    onTypeChanged(listener: TypeListener): () => void {
      typeListeners.add(listener);
      return () => typeListeners.delete(listener);
    },

    /** Creates or replaces nodes (one transaction); returns the stored nodes. */
    /** `reason`: why a node is saved over a conflict the client was told about (kept in the history). */
    upsertNodes(list: readonly Node[], who: Actor, reason?: string): Node[] {
      const touched = new Set<string>();
      store.transaction(() => {
        for (const node of list) {
          const before = registry.nodes.get(node.hostname) ?? null;
          const unbound = store.registry.upsertNode(
            node,
            audit(
              who,
              before ? `node ${node.hostname} updated` : `node ${node.hostname} created`,
              reason === undefined ? { before, after: node } : { before, after: node, reason },
              node.hostname,
              node.boardId,
            ),
          );
          touched.add(node.hostname);
          for (const u of unbound) touched.add(u.hostname);
        }
      });
      reloadNodes();
      for (const h of touched) publisher.nodeChanged(h);
      return list.map((n) => registry.nodes.get(n.hostname) ?? n);
    },

    removeNode(hostname: string, who: Actor): boolean {
      const before = registry.nodes.get(hostname);
      if (!before) return false;
      const removed = store.registry.removeNode(
        hostname,
        audit(who, `node ${hostname} removed`, { before }, hostname, before.boardId),
      );
      reloadNodes();
      publisher.clear(topics.registryNode(hostname));
      return removed;
    },

    /**
     * Binds a board to a node (swap of a dead board for a spare); the history records the swap.
     * A spare node given a board is in service: it stops being a spare (docs/protocol.md
     * §"Registry states"). A spare node whose board is taken is left empty, `spare` again.
     */
    bind(hostname: string, boardId: string, who: Actor): { node: Node; previousBoardId: string | null } {
      const node = registry.nodes.get(hostname);
      if (!node) throw notFound(`node ${hostname}`);
      const previousBoardId = node.boardId;
      const next: Node = { ...node, boardId, spare: false };
      const message =
        (previousBoardId && previousBoardId !== boardId
          ? `board ${boardId} replaces ${previousBoardId} on node ${hostname}`
          : `board ${boardId} bound to node ${hostname}`) + (node.spare ? " (spare slot now in service)" : "");
      const unbound = store.registry.upsertNode(
        next,
        audit(who, message, { previousBoardId, boardId }, hostname, boardId),
      );
      reloadNodes();
      publisher.nodeChanged(hostname);
      for (const u of unbound) publisher.nodeChanged(u.hostname);
      return { node: next, previousBoardId };
    },

    upsertType(input: BoardType, who: Actor): BoardType {
      const before = registry.types.get(input.name) ?? null;
      // revision / rcLocalHash come from the project store (docs/protocol.md §"Project store and SFTP"): an edit that does not carry
      // them keeps them while the project source stays the same, so boards are not re-judged.
      const keep =
        before !== null &&
        input.revision === undefined &&
        input.rcLocalHash === undefined &&
        JSON.stringify(before.source) === JSON.stringify(input.source);
      const t: BoardType = keep ? { ...input, revision: before.revision, rcLocalHash: before.rcLocalHash } : input;
      store.registry.upsertType(
        t,
        audit(who, before ? `type ${t.name} updated` : `type ${t.name} created`, {
          before: before && redactType(before),
          after: redactType(t),
        }),
      );
      registry.setTypes(store.registry.listTypes());
      publisher.typeChanged(t);
      emitType(t, before);
      return t;
    },

    removeType(name: string, force: boolean, who: Actor): boolean {
      const users = [...registry.nodes.values()].filter((n) => n.type === name).map((n) => n.hostname);
      if (users.length > 0 && !force)
        throw conflict(`type ${name} is used by ${users.length} node(s): ${users.slice(0, 5).join(", ")}`);
      const before = registry.types.get(name) ?? null;
      const removed = store.registry.removeType(name, audit(who, `type ${name} removed`, { before: before && redactType(before) }));
      registry.setTypes(store.registry.listTypes());
      if (removed) publisher.typeRemoved(name);
      if (removed && before) emitType(null, before);
      return removed;
    },

    upsertSector(s: Sector, who: Actor): Sector {
      const before = registry.sectors().find((x) => x.name === s.name) ?? null;
      store.registry.upsertSector(
        s,
        audit(who, before ? `sector ${s.name} updated` : `sector ${s.name} created`, { before, after: s }),
      );
      registry.setSectors(store.registry.listSectors());
      return s;
    },

    removeSector(name: string, who: Actor): boolean {
      const before = registry.sectors().find((x) => x.name === name) ?? null;
      const removed = store.registry.removeSector(name, audit(who, `sector ${name} removed`, { before }));
      registry.setSectors(store.registry.listSectors());
      return removed;
    },
  };
}
export type RegistryEditor = ReturnType<typeof createRegistryEditor>;
