import type { BoardType } from "@bbb/shared";
import type { Logger } from "pino";
import type { Registry } from "../registry/create-registry.js";
import type { RegistryEditor } from "../registry/registry-editor.js";
import type { ProjectStore } from "./create-project-store.js";

/** Who the history names for revision updates made by the store itself. */
export const PROJECT_STORE_ACTOR = { by: "project-store", via: "internal" } as const;

const sourceKey = (t: BoardType | null) => JSON.stringify(t?.source ?? null);

/**
 * Keeps each type's `revision` / `rcLocalHash` equal to its live project (docs/protocol.md
 * §"Project store and SFTP": boards whose heartbeat `projectRevision` / `rcLocalHash` differ
 * are misconfigured). The registry builds a
 * board's Expected from its node's type, so writing the type through the editor stores it,
 * publishes `<root>/registry/types/<name>` and re-evaluates the boards. A type created or edited
 * with a new source is fetched at once; a removed type's trees are deleted.
 */
export function linkTypeRevisions(deps: {
  store: ProjectStore;
  registry: Pick<Registry, "types">;
  editor: Pick<RegistryEditor, "upsertType" | "onTypeChanged">;
  log: Logger;
}): () => void {
  const { store, registry, editor, log } = deps;

  function apply(name: string, info: { revision: string | null; rcLocalHash: string | null }): void {
    const t = registry.types.get(name);
    if (!t || !t.source || info.revision === null) return;
    if ((t.revision ?? null) === info.revision && (t.rcLocalHash ?? null) === info.rcLocalHash) return;
    log.info({ type: name, revision: info.revision, previous: t.revision ?? null }, "type project revision changed");
    editor.upsertType({ ...t, revision: info.revision, rcLocalHash: info.rcLocalHash }, PROJECT_STORE_ACTOR);
  }

  function refresh(t: BoardType): void {
    store.refresh(t).then(
      // Applied here too: a new source may build the revision the store already had (no event).
      (info) => apply(t.name, info),
      (err: unknown) => log.warn({ err, type: t.name }, "project refresh after a type edit failed"),
    );
  }

  const offRevision = store.onRevision((name, info) => apply(name, info));
  const offType = editor.onTypeChanged((after, before) => {
    if (after === null) {
      if (before)
        store
          .remove(before.name)
          .catch((err: unknown) => log.warn({ err, type: before.name }, "project removal failed"));
      return;
    }
    if (after.source && sourceKey(after) !== sourceKey(before)) refresh(after);
  });
  // Start-up: trees built by an earlier run are live at once, before the first refresh.
  for (const t of registry.types.values()) {
    const info = t.source ? store.info(t.name) : null;
    if (info) apply(t.name, info);
  }
  return () => {
    offRevision();
    offType();
  };
}
