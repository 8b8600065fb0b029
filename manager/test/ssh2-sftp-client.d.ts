/**
 * The part of ssh2-sftp-client 12.1 the manager's tests use as an SFTP peer
 * (node_modules/ssh2-sftp-client/src/index.js). The package ships no types and
 * @types/ssh2-sftp-client describes version 9; the agent declares its own part in
 * agent/src/sync/ssh2-sftp-client.d.ts.
 */
declare module "ssh2-sftp-client" {
  import type { Client, ConnectConfig, SFTPWrapper } from "ssh2";

  /** Called for connection events that arrive while no method call is waiting. */
  interface GlobalListeners {
    error: (err: unknown) => void;
    end: () => void;
    close: () => void;
  }

  /** One entry of list(): type is the first letter of `ls -l` ("d", "-", "l"). */
  interface FileInfo {
    type: string;
    name: string;
    size: number;
    modifyTime: number;
    accessTime: number;
    rights: { user: string; group: string; other: string };
    owner: number;
    group: number;
    longname: string;
  }

  export default class SftpClient {
    constructor(clientName?: string, callbacks?: GlobalListeners);
    /** The ssh2 connection underneath (its "close" is the server hanging up). */
    readonly client: Client;
    connect(config: ConnectConfig): Promise<SFTPWrapper>;
    list(remotePath: string): Promise<FileInfo[]>;
    /** Without a destination the file comes back as a Buffer. */
    get(remotePath: string): Promise<Buffer>;
    /** The type of the object as list() gives it, or false when there is none. */
    exists(remotePath: string): Promise<false | "d" | "-" | "l">;
    realPath(remotePath: string): Promise<string>;
    end(): Promise<boolean>;
  }
}
