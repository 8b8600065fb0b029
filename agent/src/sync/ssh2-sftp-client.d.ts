/**
 * The part of ssh2-sftp-client 12.1 the agent uses (node_modules/ssh2-sftp-client/src/index.js).
 * The package ships no types and @types/ssh2-sftp-client describes version 9.
 */
declare module "ssh2-sftp-client" {
  import type { ConnectConfig, ReadStream, ReadStreamOptions, SFTPWrapper } from "ssh2";

  /** Called for connection events that arrive while no method call is waiting. */
  interface GlobalListeners {
    error: (err: unknown) => void;
    end: () => void;
    close: () => void;
  }

  export default class SftpClient {
    constructor(clientName?: string, callbacks?: GlobalListeners);
    connect(config: ConnectConfig): Promise<SFTPWrapper>;
    createReadStream(remotePath: string, options?: ReadStreamOptions): ReadStream;
    end(): Promise<boolean>;
  }
}
