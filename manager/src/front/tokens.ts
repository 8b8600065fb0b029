import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Role } from "@bbb/shared";

/** One API token as the server keeps it (docs/protocol.md "Sessions"); the secret part is never stored. */
export interface TokenRecord {
  id: string;
  username: string;
  role: Role;
  issuedAt: number;
  expiresAt: number;
  /** Last successful use on any door (memory only: not worth a disk write per request). */
  lastUsedAt: number | null;
}

/**
 * API tokens for Bearer auth (REST) and `auth {token}` (socket): `<id>.<mac>`, the id kept
 * server-side, so a token can be revoked (tokens.revoke, a user removed, re-passworded or given
 * another role) and stops working on the next request.
 */
export interface TokenService {
  issue(username: string, role: Role): { token: string; id: string; expiresAt: number };
  verify(token: string): { username: string; role: Role; tokenId: string } | null;
  list(): TokenRecord[];
  revoke(id: string): boolean;
  /** Revokes every token of a user; returns how many. */
  revokeUser(username: string): number;
}

/** Where token records live; `save` must be atomic (a kill -9 leaves the old or the new list). */
export interface TokenPersistence {
  load(): TokenRecord[];
  save(records: readonly TokenRecord[]): void;
}

/** The API-token key of a fleet: derived from the fleet secret, so tokens survive restarts. */
export function apiTokenKey(fleetSecret: string): Buffer {
  return createHmac("sha256", fleetSecret).update("bbb-api-tokens").digest();
}

export function createTokenService(opts: {
  secret: string | Buffer;
  ttlMs?: number;
  now?: () => number;
  persistence?: TokenPersistence;
}): TokenService {
  const ttl = opts.ttlMs ?? 12 * 3600_000;
  const now = opts.now ?? Date.now;
  const mac = (id: string) => createHmac("sha256", opts.secret).update(`bbb-api-token.${id}`).digest("base64url");
  const records = new Map<string, TokenRecord>();
  for (const r of opts.persistence?.load() ?? []) if (r.expiresAt > now()) records.set(r.id, r);
  const save = () => opts.persistence?.save([...records.values()]);
  const prune = () => {
    const t = now();
    let gone = false;
    for (const [id, r] of records) if (r.expiresAt <= t) gone = records.delete(id) || gone;
    return gone;
  };

  return {
    issue(username, role) {
      prune();
      const id = randomBytes(12).toString("base64url");
      const issuedAt = now();
      const rec: TokenRecord = { id, username, role, issuedAt, expiresAt: issuedAt + ttl, lastUsedAt: null };
      records.set(id, rec);
      save();
      return { token: `${id}.${mac(id)}`, id, expiresAt: rec.expiresAt };
    },
    verify(token) {
      if (token.length > 1024) return null;
      const [id, sig, extra] = token.split(".");
      if (!id || !sig || extra !== undefined) return null;
      const want = Buffer.from(mac(id));
      const got = Buffer.from(sig);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
      const rec = records.get(id);
      if (!rec || rec.expiresAt <= now()) return null;
      rec.lastUsedAt = now();
      return { username: rec.username, role: rec.role, tokenId: id };
    },
    list() {
      if (prune()) save();
      return [...records.values()].map((r) => ({ ...r }));
    },
    revoke(id) {
      const gone = records.delete(id);
      if (gone) save();
      return gone;
    },
    revokeUser(username) {
      let n = 0;
      for (const [id, r] of records) if (r.username === username && records.delete(id)) n++;
      if (n > 0) save();
      return n;
    },
  };
}
