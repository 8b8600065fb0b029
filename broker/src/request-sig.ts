import { createHmac } from "node:crypto";
import type { RequestAuth, Role } from "@bbb/shared";
import { safeEqual } from "./tokens.js";

/** Label the request-stamp key is derived from (distinct from every board id and the manager's label). */
const STAMP_LABEL = "bbb-request-stamp:v1";

/** Key of the broker's request stamps, derived from the fleet secret the broker and the manager share. */
export function deriveStampKey(fleetSecret: string): Buffer {
  return createHmac("sha256", Buffer.from(fleetSecret, "utf8")).update(STAMP_LABEL, "utf8").digest();
}

type Unsigned = { username: string; role: Role; clientId: string };

function mac(key: Buffer, auth: Unsigned, transaction: string): string {
  return createHmac("sha256", key).update(JSON.stringify([auth.username, auth.role, auth.clientId, transaction]), "utf8").digest("hex");
}

/**
 * docs/protocol.md §"Manager requests": the stamp our broker writes is signed over who and the
 * request's transaction, so a client of any other broker cannot write an `auth` the manager trusts.
 */
export function signRequestAuth(key: Buffer, auth: Unsigned, transaction: string): RequestAuth {
  return { username: auth.username, role: auth.role, clientId: auth.clientId, sig: mac(key, auth, transaction) };
}

export function verifyRequestAuth(key: Buffer, auth: RequestAuth, transaction: string): boolean {
  return safeEqual(auth.sig, mac(key, auth, transaction));
}
