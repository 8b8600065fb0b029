import type { BoardType } from "@bbb/shared";
import { defineMethod, type MethodDef } from "../service/method.js";
import type { ProjectStore } from "./create-project-store.js";
import { ManagerErrorCodes, ProjectErrorCodes, ProjectErrors, type ManagerErrorCode, type ProjectErrorCode } from "../errors.js";
import {
  projectsListParamsSchema,
  projectsListResultSchema,
  projectsManifestResultSchema,
  projectsRefreshResultSchema,
  projectTypeParamsSchema,
  sftpInfoParamsSchema,
  sftpInfoResultSchema,
  type ProjectInfo,
} from "./schemas.js";
import { CodedError, isCodedError } from "@bbb/shared";

export interface ProjectMethodDeps {
  /** The running store (throws MGR_E_UNAVAILABLE before the extension started it). */
  store: () => ProjectStore;
  /** The registry's types (the store only knows types it has built). */
  listTypes: () => BoardType[];
  getType: (name: string) => BoardType | null;
  /** The SFTP server's port and host key fingerprint; null when it does not run. */
  sftp?: () => { port: number; hostKeyFingerprint: string } | null;
}

function emptyInfo(t: BoardType): ProjectInfo {
  return {
    type: t.name,
    source: t.source?.kind ?? null,
    revision: null,
    rcLocalHash: null,
    overlay: t.overlay ?? null,
    files: 0,
    totalBytes: 0,
    builtAt: null,
    checkedAt: null,
    error: null,
    skipped: [],
  };
}

/** How a store failure crosses the wire: the manager's code, the store's code kept in the message. */
const WIRE_CODE: Record<ProjectErrorCode, ManagerErrorCode> = {
  [ProjectErrorCodes.NO_SOURCE]: ManagerErrorCodes.CONFLICT,
  [ProjectErrorCodes.NOT_FOUND]: ManagerErrorCodes.NOT_FOUND,
  [ProjectErrorCodes.UNKNOWN_TYPE]: ManagerErrorCodes.NOT_FOUND,
  [ProjectErrorCodes.SOURCE_UNREADABLE]: ManagerErrorCodes.UNAVAILABLE,
  [ProjectErrorCodes.SOURCE_FORBIDDEN]: ManagerErrorCodes.FORBIDDEN,
  [ProjectErrorCodes.GIT_FAILED]: ManagerErrorCodes.UNAVAILABLE,
  [ProjectErrorCodes.TOO_LARGE]: ManagerErrorCodes.CONFLICT,
  [ProjectErrorCodes.STORE_FAILED]: ManagerErrorCodes.UNAVAILABLE,
  [ProjectErrorCodes.ABORTED]: ManagerErrorCodes.UNAVAILABLE,
};

export function toManagerError(e: unknown): unknown {
  return isCodedError(e, ProjectErrors)
    ? new CodedError(WIRE_CODE[e.code as ProjectErrorCode], `${e.code}: ${e.message}`)
    : e;
}

async function wire<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e: unknown) {
    throw toManagerError(e);
  }
}

/** projects.list / projects.refresh / projects.manifest / sftp.info for every front door (service/method.ts). */
export function createProjectMethods(deps: ProjectMethodDeps): MethodDef[] {
  const typeOrThrow = (name: string) => {
    const t = deps.getType(name);
    if (!t) throw new CodedError(ProjectErrorCodes.UNKNOWN_TYPE, `unknown type ${name}`);
    return t;
  };
  return [
    defineMethod({
      name: "projects.list",
      description: "The project of every type: source, revision, rc.local hash, size, last check and error.",
      role: "viewer",
      params: projectsListParamsSchema,
      result: projectsListResultSchema,
      http: { method: "GET", path: "/projects" },
      handler: () => ({ projects: deps.listTypes().map((t) => deps.store().info(t.name) ?? emptyInfo(t)) }),
    }),
    defineMethod({
      name: "projects.refresh",
      description: "Fetches the type's project source now and rebuilds its tree if it changed.",
      role: "operator",
      params: projectTypeParamsSchema,
      result: projectsRefreshResultSchema,
      http: { method: "POST", path: "/projects/{type}/refresh" },
      handler: (p) => wire(() => deps.store().refresh(typeOrThrow(p.type))),
    }),
    defineMethod({
      name: "projects.manifest",
      description: "The manifest of the type's live project tree (files with size, mode and sha256).",
      role: "viewer",
      params: projectTypeParamsSchema,
      result: projectsManifestResultSchema,
      http: { method: "GET", path: "/projects/{type}/manifest" },
      handler: (p) =>
        wire(() => {
          typeOrThrow(p.type);
          const m = deps.store().manifest(p.type);
          if (!m) throw new CodedError(ProjectErrorCodes.NOT_FOUND, `type ${p.type} has no built project`);
          return m;
        }),
    }),
    defineMethod({
      name: "sftp.info",
      description: "Port and host key fingerprint of the read-only SFTP project store (for agent configs).",
      role: "viewer",
      params: sftpInfoParamsSchema,
      result: sftpInfoResultSchema,
      http: { method: "GET", path: "/sftp/info" },
      handler: () => {
        const s = deps.sftp?.() ?? null;
        return { port: s?.port ?? null, hostKeyFingerprint: s?.hostKeyFingerprint ?? null };
      },
    }),
  ];
}
