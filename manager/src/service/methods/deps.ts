import type { UserStore } from "@bbb/broker";
import type { Logger } from "pino";
import type { ProjectSource } from "@bbb/shared";
import type { CommandRunner } from "../../commands/run-command.js";
import type { Registry } from "../../registry/create-registry.js";
import type { RegistryEditor } from "../../registry/registry-editor.js";
import type { Store } from "../../store/create-store.js";
import type { Publisher } from "../../publisher/create-publisher.js";
import type { Sessions } from "../../front/sessions.js";
import type { HealthHistory } from "../../health/health-history.js";

/** What the built-in service methods need; createManager builds it. */
export interface ServiceDeps {
  log: Logger;
  now: () => number;
  version: string;
  topicRoot: string;
  startedAt: number;
  registry: Registry;
  editor: RegistryEditor;
  store: Store;
  runner: CommandRunner;
  publisher: Publisher;
  /** Users of the broker's store; absent when no user store is wired (users.* answer UNAVAILABLE). */
  users?: UserStore;
  /** API tokens and sign-out on every door; absent without front doors (tokens.* answer UNAVAILABLE). */
  sessions?: Sessions;
  /** Ports actually bound, filled in once the servers listen. */
  ports: () => Record<string, number | null>;
  broker: () => { mode: "embedded" | "external"; clients: number | null };
  /** Refuses a type's project source the source policy does not allow (projects/source-policy.ts). */
  checkSource: (source: ProjectSource) => Promise<void>;
  /** Per-board health series (hosts.metrics); absent when the history is switched off. */
  health?: HealthHistory;
  /** Clears a board's retained status and heartbeat (hosts.remove). */
  clearBoardTopics: (boardId: string) => void;
}
