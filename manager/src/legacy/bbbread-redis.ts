import { redisOptionsFromUrl } from "@bbb/broker";
import { Redis } from "ioredis";
import type { Logger } from "pino";

/** Keyspace event classes the bridge needs: K keyspace channel, h hash, l list, g generic (rename). */
const NEEDED = ["K", "h", "l", "g"];

export interface BbbreadConnections {
  cmd: Redis;
  sub: Redis;
  db: number;
  close(): void;
}

/** Two connections to bbbread's Redis: commands, and the keyspace subscriber. Errors are logged, never thrown. */
export function connectBbbread(url: string, log: Logger): BbbreadConnections {
  const options = redisOptionsFromUrl(url);
  const make = (role: string) => {
    const c = new Redis({
      ...options,
      lazyConnect: true,
      maxRetriesPerRequest: 2,
      connectionName: `bbb-legacy-${role}`,
    });
    c.on("error", (err: Error) => log.warn({ role, err: err.message }, "bbbread redis connection error"));
    return c;
  };
  const cmd = make("cmd");
  const sub = make("sub");
  return {
    cmd,
    sub,
    db: options.db ?? 0,
    close() {
      cmd.disconnect();
      sub.disconnect();
    },
  };
}

/**
 * Turns on the keyspace events the bridge follows, keeping any the server already sends
 * (docs/legacy-protocols.md "Liveness"). Returns null when they are on, else why not
 * (CONFIG disabled or renamed, a managed Redis): the bridge then polls.
 */
export async function enableKeyspaceEvents(cmd: Redis): Promise<string | null> {
  try {
    const got: unknown = await cmd.config("GET", "notify-keyspace-events");
    const current = Array.isArray(got) && typeof got[1] === "string" ? got[1] : "";
    const has = (f: string) => current.includes(f) || (f !== "K" && current.includes("A"));
    const missing = NEEDED.filter((f) => !has(f));
    if (missing.length > 0) await cmd.config("SET", "notify-keyspace-events", current + missing.join(""));
    return null;
  } catch (err: unknown) {
    return err instanceof Error ? err.message : String(err);
  }
}
