import { join } from "node:path";
import type { Extension, ServerContext } from "../extension.js";
import { ManagerErrorCodes } from "../errors.js";
import { createFleetSftpAuth } from "../sftp/fleet-auth.js";
import { createSftpServer, type SftpServer, type SftpServerLimits } from "../sftp/create-sftp-server.js";
import { createProjectStore, type ProjectStore, type ProjectStoreDeps } from "./create-project-store.js";
import { createProjectMethods } from "./project-methods.js";
import { linkTypeRevisions } from "./type-revisions.js";
import { CodedError } from "@bbb/shared";

export const DEFAULT_PROJECT_REFRESH_MS = 300_000;
/** The SFTP server's persistent host key, in the data dir (its fingerprint is what agents pin). */
export const SFTP_HOST_KEY_FILE = "sftp_host_ed25519_key";

export interface ProjectsExtensionOptions {
  /** Period of the timer refresh of every type's project (BBB_PROJECT_REFRESH_S; default 300 s). */
  refreshIntervalMs?: number;
  /** The read-only SFTP server; port and bind default to the config's sftpPort and bind. false: none. */
  sftp?: { port?: number; bind?: string; limits?: Partial<SftpServerLimits> } | false;
  /** Project store options: git exec, allowed local roots, git timeout, tree limits. */
  store?: Omit<ProjectStoreDeps, "dataDir" | "log">;
}

/**
 * The project store and its SFTP server as one extension of the all-in-one server (docs/protocol.md §"Project store and SFTP"):
 * projects of every type under `<dataDir>/projects`, refreshed on a timer and on demand
 * (projects.refresh), served read-only on port 1026 to agents (board id + token) and users,
 * and each type's revision fed into the registry so out-of-date boards are misconfigured.
 */
export function createProjectsExtension(opts: ProjectsExtensionOptions = {}): Extension {
  let store: ProjectStore | null = null;
  let sftp: { server: SftpServer; port: number } | null = null;
  let unlink: (() => void) | null = null;
  const getStore = () => {
    if (!store) throw new CodedError(ManagerErrorCodes.UNAVAILABLE, "the project store is not running");
    return store;
  };

  let unregister: (() => void) | null = null;

  async function undo(): Promise<void> {
    unregister?.();
    unregister = null;
    unlink?.();
    unlink = null;
    await sftp?.server.stop();
    sftp = null;
    await store?.stop();
    store = null;
  }

  return {
    name: "projects",
    methods: (deps) =>
      createProjectMethods({
        store: getStore,
        listTypes: () => [...deps.registry.types.values()],
        getType: (name) => deps.registry.types.get(name) ?? null,
        sftp: () => (sftp ? { port: sftp.port, hostKeyFingerprint: sftp.server.hostKeyFingerprint() } : null),
      }),
    async start(ctx: ServerContext) {
      const log = ctx.log.child({ module: "projects" });
      const svc = ctx.service();
      const s = createProjectStore({
        projectRoots: ctx.config.projectRoots,
        gitHosts: ctx.config.gitHosts,
        ...opts.store,
        dataDir: ctx.config.dataDir,
        log: ctx.log,
      });
      store = s;
      try {
        unlink = linkTypeRevisions({ store: s, registry: svc.registry, editor: svc.editor, log });
        s.start({
          types: () => [...svc.registry.types.values()],
          intervalMs: opts.refreshIntervalMs ?? DEFAULT_PROJECT_REFRESH_MS,
        });
        if (opts.sftp === false) return;
        const server = createSftpServer({
          projectsDir: s.projectsDir,
          hostKeyPath: join(ctx.config.dataDir, SFTP_HOST_KEY_FILE),
          authenticate: createFleetSftpAuth({ fleetSecret: ctx.fleetSecret, users: ctx.users }),
          throttle: ctx.loginThrottle,
          log: ctx.log,
          ...(opts.sftp?.limits ? { limits: opts.sftp.limits } : {}),
        });
        const { port } = await server.start({
          port: opts.sftp?.port ?? ctx.config.sftpPort,
          bind: opts.sftp?.bind ?? ctx.config.bind,
        });
        sftp = { server, port };
        unregister = ctx.sessions.onSignOut((t, act) => ("username" in t ? server.closeUser(t.username, act) : 0));
        // Operators copy this into agent configs (sftpHostKeyFingerprint); `bbbctl provision` reads sftp.info.
        log.info({ port, fingerprint: server.hostKeyFingerprint() }, "sftp host key fingerprint");
        return { ports: { sftp: port } };
      } catch (e: unknown) {
        // The server stops only extensions that started: undo the store and timer here.
        await undo();
        throw e;
      }
    },
    stop: undo,
  };
}

