export {
  createProjectStore,
  type ProjectStore,
  type ProjectStoreDeps,
  type RevisionListener,
} from "./create-project-store.js";
export { createProjectMethods, type ProjectMethodDeps } from "./project-methods.js";
export { createExec, type Exec, type ExecOptions, type ExecResult } from "./exec.js";
export { ProjectErrors, ProjectErrorCodes, type ProjectErrorCode } from "../errors.js";
export * from "./schemas.js";
export {
  createProjectsExtension,
  DEFAULT_PROJECT_REFRESH_MS,
  SFTP_HOST_KEY_FILE,
  type ProjectsExtensionOptions,
} from "./projects-extension.js";
export { linkTypeRevisions, PROJECT_STORE_ACTOR } from "./type-revisions.js";
