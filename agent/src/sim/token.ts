import { createHmac } from "node:crypto";

/** Per-board token (docs/protocol.md §"Authentication and ACL"): HMAC-SHA256 keyed with the fleet secret over the board id, hex. */
export function boardToken(fleetSecret: string, boardId: string): string {
  return createHmac("sha256", Buffer.from(fleetSecret, "utf8")).update(Buffer.from(boardId, "utf8")).digest("hex");
}
