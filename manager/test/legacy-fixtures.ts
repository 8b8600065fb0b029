import { commandOptionsSchema, type ActionName, type Result } from "@bbb/shared";
import type { Logger } from "pino";
import type { ConfigInput } from "../src/config/schema.js";
import type { Extension } from "../src/extension.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createLegacyExtension, type LegacyExtensionOptions } from "../src/legacy/legacy-extension.js";
import { createOpsExtension } from "../src/ops/ops-extension.js";
import { startTestServer } from "./helpers.js";

export { haveRedis, startRedis } from "./redis-process.js";

/** The server with the legacy bridges (and /metrics) only. */
export async function startLegacyServer(
  over: Partial<ConfigInput>,
  opts: LegacyExtensionOptions & { front?: boolean },
  log?: Logger,
) {
  const legacy = createLegacyExtension(opts);
  const extensions: Extension[] = [createOpsExtension({ register: (r) => legacy.registerMetrics(r) }), legacy];
  if (opts.front) extensions.unshift(createFrontExtension());
  const t = await startTestServer(over, { extensions, ...(log ? { log } : {}) });
  const { server, started } = t;
  const m = server.manager;
  return {
    server,
    started,
    manager: m,
    view: (id: string) => {
      const rec = m.registry.records.get(id);
      return rec && rec.state !== null ? m.registry.hostView(rec) : null;
    },
    /** Runs one action on one board; resolves with the run and every result the board's request got. */
    async command(id: string, action: ActionName, args: unknown, options: Record<string, unknown> = {}) {
      const results: Result[] = [];
      const off = m.events.on((e) => {
        if (e.kind === "command-result" && e.boardId === id) results.push(e.result);
      });
      const run = await m.service.runner.run({
        ids: [id],
        action,
        args,
        options: commandOptionsSchema.parse(options),
        by: "test",
        via: "internal",
      });
      return { run, results, off };
    },
    history: (boardId: string) => {
      m.store.flush();
      return m.store.history.query({ boardId, limit: 500 });
    },
    stop: () => t.stop(),
  };
}
export type LegacyServer = Awaited<ReturnType<typeof startLegacyServer>>;
