export { createProjectSync, type ProjectSyncDeps } from "./create-project-sync.js";
export { fingerprintOf, type SftpEndpoint } from "./sftp-source.js";
export { manifestSchema, MANIFEST_FILE, type Manifest } from "./manifest.js";
export { unifiedDiff } from "./line-diff.js";
export type { SyncState } from "./sync-state.js";
