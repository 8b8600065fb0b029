import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import ssh2, { type AuthContext } from "ssh2";
import type { LoginThrottle } from "@bbb/shared";
import type { SftpPrincipal } from "./path-guard.js";

export type PasswordAuth = (username: string, password: string) => Promise<SftpPrincipal | null>;
/** Whether this public key (SSH wire blob) may log in as `username`; the signature is checked here. */
export type PublicKeyAuth = (username: string, key: { algo: string; data: Buffer }) => Promise<SftpPrincipal | null>;

const MAX_CREDENTIAL = 1024;

/**
 * The authentication handler of one connection: password (agents: board id + token), and
 * public key when a lookup is injected. A key is first offered without a signature (RFC 4252
 * §7: "is this key acceptable?"), then signed; only a verified signature logs in.
 */
export function createAuthHandler(opts: {
  password: PasswordAuth;
  publicKey?: PublicKeyAuth;
  maxAttempts: number;
  /** The doors' shared login throttle and this connection's address (docs/protocol.md §"Login throttle"). */
  throttle?: LoginThrottle;
  address: string;
  log: Logger;
  onLogin: (who: SftpPrincipal, username: string) => void;
  onTooMany: () => void;
}) {
  const methods: ("password" | "publickey")[] = opts.publicKey ? ["publickey", "password"] : ["password"];
  let failures = 0;

  const refuse = (ctx: AuthContext, username: string, counted: boolean, throttled = false) => {
    ctx.reject(methods);
    if (!counted) return;
    failures++;
    opts.log.warn({ username, method: ctx.method, failures, ...(throttled ? { throttled } : {}) }, "sftp login refused");
    if (failures >= opts.maxAttempts) opts.onTooMany();
  };
  const accept = (ctx: AuthContext, who: SftpPrincipal) => {
    opts.log.info({ username: ctx.username, method: ctx.method, kind: who.kind }, "sftp login");
    opts.onLogin(who, ctx.username);
    ctx.accept();
  };

  async function decide(ctx: AuthContext): Promise<void> {
    const username = ctx.username;
    if (username.length > MAX_CREDENTIAL) return refuse(ctx, username.slice(0, 64), true);
    if (ctx.method === "password") {
      if (ctx.password.length > MAX_CREDENTIAL) return refuse(ctx, username, true);
      const th = opts.throttle;
      // Refused at once while the address waits; the username's window applies to users only,
      // so a board is never slowed by failures from another address.
      if (th && th.begin(opts.address) > 0) return refuse(ctx, username, true, true);
      const who = await opts.password(username, ctx.password).finally(() => th?.end(opts.address));
      if (who && who.kind === "user" && th && th.blockedFor(opts.address, username) > 0) return refuse(ctx, username, true, true);
      if (who) {
        th?.succeed(opts.address, who.kind === "user" ? username : null);
        return accept(ctx, who);
      }
      // Held for the wait owed, so a client that waits for its answer is never refused unchecked.
      const wait = th?.fail(opts.address, username) ?? 0;
      if (wait > 0) await sleep(wait);
      return refuse(ctx, username, true);
    }
    if (ctx.method === "publickey" && opts.publicKey) {
      const who = await opts.publicKey(username, { algo: ctx.key.algo, data: ctx.key.data });
      if (!who) return refuse(ctx, username, false);
      if (!ctx.signature || !ctx.blob) {
        ctx.accept();
        return;
      }
      const key = ssh2.utils.parseKey(ctx.key.data);
      const ok = !(key instanceof Error) && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo);
      return ok ? accept(ctx, who) : refuse(ctx, username, true);
    }
    // "none" and other methods only learn which methods exist.
    ctx.reject(methods);
  }

  return (ctx: AuthContext) => {
    decide(ctx).catch((err: unknown) => {
      opts.log.error({ err }, "sftp authentication failed");
      ctx.reject(methods);
    });
  };
}
