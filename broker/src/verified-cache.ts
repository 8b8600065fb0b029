import { createHmac, randomBytes } from "node:crypto";

/**
 * Remembers recent successful password checks, so that a user who connects again and again
 * (an operator's `mosquitto_pub` per command, a reconnecting dashboard) does not pay a scrypt
 * check (~85 ms here) every time: the command round trip of BENCHMARKS.md figure 4.
 * Keys are HMACs under a per-instance random key (no password is kept); an entry is only valid
 * under the stamp it was remembered with (the user store: the stored hash, so a password change
 * or a removal ends it at once; the broker's thread: the store's generation, so any change does,
 * thread/verified-logins.ts). Failures are never cached.
 */
export interface VerifiedCache<V = true> {
  /** The value remembered for this user and password under this stamp, within its lifetime. */
  hit(username: string, password: string, stamp: string): V | undefined;
  remember(username: string, password: string, stamp: string, value: V): void;
}

export function createVerifiedCache<V = true>(opts: { ttlMs?: number; max?: number; now?: () => number } = {}): VerifiedCache<V> {
  const ttl = opts.ttlMs ?? 10 * 60_000;
  const max = opts.max ?? 1000;
  const now = opts.now ?? Date.now;
  const key = randomBytes(32);
  const entries = new Map<string, { stamp: string; value: V; until: number }>();
  const id = (username: string, password: string) =>
    createHmac("sha256", key).update(username).update("\0").update(password).digest("base64");
  return {
    hit(username, password, stamp) {
      const k = id(username, password);
      const e = entries.get(k);
      if (!e) return undefined;
      if (e.until < now() || e.stamp !== stamp) {
        entries.delete(k);
        return undefined;
      }
      return e.value;
    },
    remember(username, password, stamp, value) {
      if (entries.size >= max) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(id(username, password), { stamp, value, until: now() + ttl });
    },
  };
}
