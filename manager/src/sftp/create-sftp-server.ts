import type { LoginThrottle } from "@bbb/shared";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from "node:net";
import type { Logger } from "pino";
import ssh2, { type Connection } from "ssh2";
import { createAuthHandler, type PasswordAuth, type PublicKeyAuth } from "./auth.js";
import { loadOrCreateHostKey } from "./host-key.js";
import type { SftpAccessPolicy, SftpPrincipal } from "./path-guard.js";
import { attachSftpSession, DEFAULT_SESSION_LIMITS, type SftpSessionLimits } from "./sftp-session.js";

export interface SftpServerLimits extends SftpSessionLimits {
  /** Concurrent SSH connections; more are dropped at once. */
  maxConnections: number;
  /** SFTP channels per connection. */
  maxSessionsPerConnection: number;
  /** Time allowed to authenticate. */
  authTimeoutMs: number;
  /** Failed password attempts before the connection is dropped. */
  maxAuthAttempts: number;
}
export const DEFAULT_SFTP_LIMITS: SftpServerLimits = {
  ...DEFAULT_SESSION_LIMITS,
  maxConnections: 256,
  maxSessionsPerConnection: 4,
  authTimeoutMs: 20_000,
  maxAuthAttempts: 5,
};

export interface SftpServerDeps {
  /** The project store root (`<dataDir>/projects`), shown to clients as "/". */
  projectsDir: string;
  /** Created (ed25519) on first start. */
  hostKeyPath: string;
  /** Agents log in with board id + token, users with their password; null refuses. */
  authenticate: PasswordAuth;
  /** Optional public-key login: which principal, if any, this key belongs to for `username`. */
  authenticateKey?: PublicKeyAuth;
  log: Logger;
  limits?: Partial<SftpServerLimits>;
  /** Shared with the other doors (docs/protocol.md §"Login throttle"); none: no back-off. */
  throttle?: LoginThrottle;
  /** Restricts agents to their own type's tree for types that ask for it. */
  access?: SftpAccessPolicy;
}

export interface SftpServer {
  start(opts: { port: number; bind: string }): Promise<{ port: number }>;
  stop(): Promise<void>;
  /** "SHA256:…" as OpenSSH prints it; available once started. */
  hostKeyFingerprint(): string;
  /** Ends every connection logged in with this name (a user signed out); returns how many (`act` false: only counts). */
  closeUser(username: string, act?: boolean): number;
}

/**
 * The read-only SFTP server of the project store (docs/protocol.md §"Ports": 1026). Only the "sftp"
 * subsystem is served; ssh2 refuses shells, exec, port forwarding and other channel types
 * because no listener is registered for them.
 */
export function createSftpServer(deps: SftpServerDeps): SftpServer {
  const log = deps.log.child({ module: "sftp" });
  const limits: SftpServerLimits = { ...DEFAULT_SFTP_LIMITS, ...deps.limits };
  /** Each connection and the login name it authenticated with (null before). */
  const clients = new Map<Connection, string | null>();
  // Raw sockets that have not sent their SSH identification line yet: ssh2 reports a connection
  // only after it, so without this a client that connects and dribbles bytes (slow-loris) is
  // neither timed out nor counted (RELIABILITY.md §"Idle and slow-loris connections on every port").
  const preHeader = new Set<Socket>();
  let server: ssh2.Server | null = null;
  let tcp: NetServer | null = null;
  let fingerprint: string | null = null;

  function onRawSocket(sock: Socket): void {
    sock.on("error", () => undefined);
    // Generous (the handshake timeout is what frees slots): a flood must not lock real clients out.
    if (preHeader.size >= limits.maxConnections * 8 || !server) {
      sock.destroy();
      return;
    }
    preHeader.add(sock);
    const timer = setTimeout(() => {
      if (!preHeader.has(sock)) return;
      log.info({ ip: sock.remoteAddress }, "sftp handshake timed out");
      sock.destroy();
    }, limits.authTimeoutMs);
    sock.once("close", () => {
      clearTimeout(timer);
      preHeader.delete(sock);
    });
    server.injectSocket(sock);
  }

  function onConnection(client: Connection, info: { ip: string; port: number }) {
    for (const sock of preHeader) {
      if (sock.remotePort === info.port && sock.remoteAddress === info.ip) preHeader.delete(sock);
    }
    if (clients.size >= limits.maxConnections) {
      log.warn({ ip: info.ip }, "sftp connection limit reached");
      client.on("error", () => undefined);
      client.end();
      return;
    }
    clients.set(client, null);
    const clog = log.child({ ip: info.ip });
    let who: SftpPrincipal | null = null;
    let sessions = 0;
    const authTimer = setTimeout(() => {
      clog.info("sftp authentication timed out");
      client.end();
    }, limits.authTimeoutMs);

    client.on(
      "authentication",
      createAuthHandler({
        password: deps.authenticate,
        publicKey: deps.authenticateKey,
        maxAttempts: limits.maxAuthAttempts,
        throttle: deps.throttle,
        address: info.ip,
        log: clog,
        onLogin: (p, username) => {
          who = p;
          clients.set(client, username);
        },
        onTooMany: () => client.end(),
      }),
    );
    client.on("ready", () => clearTimeout(authTimer));
    client.on("session", (accept, reject) => {
      if (!who || sessions >= limits.maxSessionsPerConnection) {
        reject();
        return;
      }
      sessions++;
      const principal = who;
      const session = accept();
      session.on("sftp", (acceptSftp) => {
        const sftp = acceptSftp();
        attachSftpSession(sftp, { root: deps.projectsDir, who: principal, policy: deps.access, limits, log: clog });
        sftp.on("close", () => sessions--);
      });
    });
    client.on("error", (err) => clog.debug({ err }, "sftp connection error"));
    client.on("close", () => {
      clearTimeout(authTimer);
      clients.delete(client);
    });
  }

  return {
    async start({ port, bind }) {
      const hostKey = await loadOrCreateHostKey(deps.hostKeyPath);
      fingerprint = hostKey.fingerprint;
      const s = new ssh2.Server({ hostKeys: [hostKey.key], ident: "bbb-project-store" }, onConnection);
      server = s;
      const t = createNetServer(onRawSocket);
      tcp = t;
      await new Promise<void>((resolve, reject) => {
        t.once("error", reject);
        t.listen(port, bind, () => {
          t.off("error", reject);
          resolve();
        });
      });
      t.on("error", (err: unknown) => log.error({ err }, "sftp server error"));
      s.on("error", (err: unknown) => log.error({ err }, "sftp server error"));
      const got = (t.address() as AddressInfo).port;
      log.info({ port: got, bind, fingerprint }, "sftp server listening");
      return { port: got };
    },
    async stop() {
      const t = tcp;
      tcp = null;
      server = null;
      if (!t) return;
      for (const c of clients.keys()) c.end();
      for (const sock of preHeader) sock.destroy();
      await new Promise<void>((resolve) => t.close(() => resolve()));
    },
    closeUser(username, act = true) {
      let n = 0;
      for (const [c, who] of clients) {
        if (who !== username) continue;
        if (act) c.end();
        n++;
      }
      return n;
    },
    hostKeyFingerprint() {
      if (!fingerprint) throw new Error("sftp server not started");
      return fingerprint;
    },
  };
}
