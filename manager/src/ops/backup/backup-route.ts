import { PROBLEM_TYPE, problemBody } from "../../front/rest/problem.js";
import { createReadStream } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import { createLoginThrottle, type LoginThrottle } from "@bbb/shared";
import type { Authenticate } from "../../front/auth-types.js";
import { sendJson } from "../../front/rest/http-io.js";
import { claimedUsername, createRequestAuthenticator, refuseThrottled } from "../../front/rest/request-auth.js";
import type { TokenService } from "../../front/tokens.js";
import type { BackupService } from "./backup-service.js";
import { ManagerErrorCodes } from "../../errors.js";
import { roleAllows } from "@bbb/shared";

export const BACKUP_ROUTE = "/api/server/backup";

/**
 * REST `POST /api/server/backup` (admin; Basic or Bearer like the rest of /api): makes a backup
 * and streams it as application/gzip, with its sha256 in `x-bbb-sha256` and its name in
 * Content-Disposition. The archive also stays in <dataDir>/backups (the newest `backupKeep`).
 */
export function createBackupRoute(deps: {
  backups: () => BackupService;
  authenticate: Authenticate;
  tokens?: TokenService;
  /** Shared with the other doors (docs/protocol.md §"Login throttle"). */
  throttle?: LoginThrottle;
  log: Logger;
}) {
  const log = deps.log.child({ module: "backup-route" });
  const throttle = deps.throttle ?? createLoginThrottle();
  const authenticateRequest = createRequestAuthenticator({ authenticate: deps.authenticate, tokens: deps.tokens });
  const error = (res: ServerResponse, status: number, code: string, message: string, headers = {}) =>
    sendJson(res, status, problemBody({ code, message, status }), {
      "content-type": `${PROBLEM_TYPE}; charset=utf-8`,
      ...headers,
    });

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== BACKUP_ROUTE) return false;
    // POST: making a backup prunes the oldest ones, and a GET must change nothing.
    if (req.method !== "POST") {
      error(res, 405, ManagerErrorCodes.METHOD_NOT_ALLOWED, "use POST", { allow: "POST" });
      return true;
    }
    const peer = req.socket.remoteAddress ?? "?";
    const user = claimedUsername(req);
    if (user !== null && refuseThrottled(res, throttle.begin(peer, user))) return true;
    const auth = await authenticateRequest(req).finally(() => {
      if (user !== null) throttle.end(peer, user);
    });
    if (!auth.ok) {
      if (auth.reason === "invalid") await sleep(throttle.fail(peer, user));
      error(res, 401, ManagerErrorCodes.UNAUTHENTICATED, "authentication required", {
        "www-authenticate": 'Bearer realm="bbb"',
      });
      return true;
    }
    throttle.succeed(peer, user);
    if (!roleAllows(auth.principal.role, "admin")) {
      error(res, 403, ManagerErrorCodes.FORBIDDEN, "backups need the admin role");
      return true;
    }
    const b = await deps.backups().create();
    log.info({ name: b.name, by: auth.principal.username }, "backup downloaded over REST");
    res.writeHead(200, {
      "content-type": "application/gzip",
      "content-length": b.bytes,
      "content-disposition": `attachment; filename="${b.name}"`,
      "cache-control": "no-store",
      "x-bbb-sha256": b.sha256,
    });
    createReadStream(b.path)
      .on("error", (err: Error) => {
        log.error({ err, name: b.name }, "backup stream failed");
        res.destroy();
      })
      .pipe(res);
    return true;
  };
}
