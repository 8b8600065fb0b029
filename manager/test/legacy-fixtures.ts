import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commandOptionsSchema, type ActionName, type Result } from "@bbb/shared";
import { pino, type Logger } from "pino";
import { configSchema, type ConfigInput } from "../src/config/schema.js";
import { createServer } from "../src/create-server.js";
import type { Extension } from "../src/extension.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createLegacyExtension, type LegacyExtensionOptions } from "../src/legacy/legacy-extension.js";
import { createOpsExtension } from "../src/ops/ops-extension.js";
import { ADMIN_PASSWORD, FLEET_SECRET } from "./helpers.js";

export { haveRedis, startRedis } from "./redis-process.js";

/** The server with the legacy bridges (and /metrics) only. */
export async function startLegacyServer(
  over: Partial<ConfigInput>,
  opts: LegacyExtensionOptions & { front?: boolean },
  log?: Logger,
) {
  const dataDir = await mkdtemp(join(tmpdir(), "bbb-legacy-mgr-"));
  const config = configSchema.parse({
    mqttPort: 0,
    httpPort: 0,
    bind: "127.0.0.1",
    dataDir,
    fleetSecret: FLEET_SECRET,
    adminPassword: ADMIN_PASSWORD,
    cmdPort: 0,
    ...over,
  });
  const legacy = createLegacyExtension(opts);
  const extensions: Extension[] = [createOpsExtension({ register: (r) => legacy.registerMetrics(r) }), legacy];
  if (opts.front) extensions.unshift(createFrontExtension());
  const server = createServer({
    config,
    log: log ?? pino({ level: "silent" }),
    staticDir: null,
    settleMs: 300,
    extensions,
  });
  const started = await server.start();
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
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
export type LegacyServer = Awaited<ReturnType<typeof startLegacyServer>>;
