import { createHmac, randomBytes } from "node:crypto";

/**
 * Remembers recent successful password checks, so that a user who connects again and again
 * (an operator's `mosquitto_pub` per command, a reconnecting dashboard) does not pay a scrypt
 * check (~85 ms here) every time: the command round trip of BENCHMARKS.md figure 4.
 * Keys are HMACs under a per-process random key (no password is kept); an entry is only valid
 * while the user's stored hash is the one it was checked against, so a password change or a
 * removal ends it at once. Failures are never cached.
 */
export interface VerifiedCache {
  hit(username: string, password: string, storedHash: string): boolean;
  remember(username: string, password: string, storedHash: string): void;
}

export function createVerifiedCache(opts: { ttlMs?: number; max?: number; now?: () => number } = {}): VerifiedCache {
  const ttl = opts.ttlMs ?? 10 * 60_000;
  const max = opts.max ?? 1000;
  const now = opts.now ?? Date.now;
  const key = randomBytes(32);
  const entries = new Map<string, { storedHash: string; until: number }>();
  const id = (username: string, password: string) =>
    createHmac("sha256", key).update(username).update("\0").update(password).digest("base64");
  return {
    hit(username, password, storedHash) {
      const k = id(username, password);
      const e = entries.get(k);
      if (!e) return false;
      if (e.until < now() || e.storedHash !== storedHash) {
        entries.delete(k);
        return false;
      }
      return true;
    },
    remember(username, password, storedHash) {
      if (entries.size >= max) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(id(username, password), { storedHash, until: now() + ttl });
    },
  };
}
