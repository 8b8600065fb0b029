import type { Connection, ConnectionFlags } from "./config.js";
import { resolveConnection } from "./config.js";
import { connectRpc, type RpcClient } from "./rpc-client.js";

/** The world of one bbbctl run, injected so tests run it in-process. */
export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Record<string, string | undefined>;
  /** Home directory for the default config file; null: none. */
  home: string | null;
  /** stderr is a terminal: draw progress bars and live tables. */
  stderrTty: boolean;
  now: () => number;
  readFile: (path: string) => Promise<string>;
  /** Resolves on Ctrl-C (watch stops on it). */
  interrupted: Promise<void>;
  /** Asks the operator yes/no on the terminal; absent when stdin or stderr is not a terminal. */
  confirm?: (question: string) => Promise<boolean>;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Exit codes: 0 all good, 1 some boards failed, 2 usage / connection / server error. */
export const EXIT = { OK: 0, FAILED: 1, ERROR: 2 } as const;

export interface CliContext {
  io: CliIo;
  /** Set by a command whose outcome is not plain success (e.g. a board failed). */
  exitCode: number;
  /** Connects and authenticates on first use; one connection per run. */
  client(): Promise<RpcClient>;
  connection(): Promise<Connection>;
  close(): void;
}

export function createCliContext(io: CliIo, flags: () => ConnectionFlags): CliContext {
  let conn: Promise<Connection> | null = null;
  let client: Promise<RpcClient> | null = null;
  let open: RpcClient | null = null;
  const connection = () => (conn ??= resolveConnection(flags(), io.env, io.home));
  return {
    io,
    exitCode: EXIT.OK,
    connection,
    client() {
      client ??= (async () => {
        const c = await connection();
        if (!c.token && (!c.user || c.password === null)) {
          throw new CliError(
            "no credentials: give --user and BBB_PASSWORD (or --password), BBB_TOKEN, or a config file",
          );
        }
        const rpc = await connectRpc({ host: c.host, port: c.port, tls: c.tls });
        open = rpc;
        await rpc.call("auth", c.token ? { token: c.token } : { username: c.user, password: c.password });
        return rpc;
      })();
      return client;
    },
    close() {
      open?.close();
    },
  };
}
