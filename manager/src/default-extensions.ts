import type { Config } from "./config/schema.js";
import type { Extension } from "./extension.js";
import { createFrontExtension } from "./front/front-extension.js";
import { createOpsExtension } from "./ops/ops-extension.js";
import { createProjectsExtension } from "./projects/projects-extension.js";

/**
 * What the all-in-one server runs beside the broker and the manager, for `npm start` and the
 * demo alike: the command socket, REST and webhooks; the project store with its read-only SFTP
 * server; /metrics and backups.
 */
export function createDefaultExtensions(config: Config): Extension[] {
  return [
    createFrontExtension(),
    createProjectsExtension({ refreshIntervalMs: config.projectRefreshS * 1000 }),
    createOpsExtension(),
  ];
}
