/** SFTP status codes (draft-ietf-secsh-filexfer-02, as ssh2 numbers them). */
export const SftpStatus = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  OP_UNSUPPORTED: 8,
} as const;
export type SftpStatusCode = (typeof SftpStatus)[keyof typeof SftpStatus];

/** A refusal with the status it answers; any other error answers FAILURE. */
export class SftpRefusal extends Error {
  constructor(
    readonly status: SftpStatusCode,
    message: string,
  ) {
    super(message);
    this.name = "SftpRefusal";
  }
}

export function statusOf(e: unknown): { status: SftpStatusCode; message: string } {
  if (e instanceof SftpRefusal) return { status: e.status, message: e.message };
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === "ENOENT" || code === "ENOTDIR") return { status: SftpStatus.NO_SUCH_FILE, message: "No such file" };
  if (code === "EACCES" || code === "EPERM" || code === "ELOOP")
    return { status: SftpStatus.PERMISSION_DENIED, message: "Permission denied" };
  return { status: SftpStatus.FAILURE, message: "Failure" };
}
