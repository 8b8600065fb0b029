import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Label the manager's MQTT password is derived from. A board id may not contain ':' nor
 * upper-case letters (boardIdSchema), so no board token can ever equal the manager password.
 */
const MANAGER_LABEL = "bbb-manager:MQTT";

/** docs/protocol.md §"Authentication and ACL": HMAC-SHA256 keyed with the fleet secret over the board id, lower-case hex. */
export function deriveBoardToken(fleetSecret: string, boardId: string): string {
  return createHmac("sha256", Buffer.from(fleetSecret, "utf8")).update(boardId, "utf8").digest("hex");
}

/** The manager's MQTT password (username MANAGER_USERNAME), derived from the same fleet secret. */
export function deriveManagerPassword(fleetSecret: string): string {
  return createHmac("sha256", Buffer.from(fleetSecret, "utf8")).update(MANAGER_LABEL, "utf8").digest("hex");
}

/**
 * Constant-time comparison of two strings. Lengths of derived tokens are public (64 hex
 * characters), so an early return on a length mismatch leaks nothing secret.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = typeof a === "string" ? Buffer.from(a, "utf8") : a;
  const y = typeof b === "string" ? Buffer.from(b, "utf8") : b;
  if (x.length !== y.length) return false;
  return timingSafeEqual(x, y);
}
