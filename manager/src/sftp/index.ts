export {
  createSftpServer,
  DEFAULT_SFTP_LIMITS,
  type SftpServer,
  type SftpServerDeps,
  type SftpServerLimits,
} from "./create-sftp-server.js";
export type { SftpAccessPolicy, SftpPrincipal } from "./path-guard.js";
export { fingerprintOf, loadOrCreateHostKey } from "./host-key.js";
export type { PasswordAuth, PublicKeyAuth } from "./auth.js";
export { createFleetSftpAuth } from "./fleet-auth.js";
