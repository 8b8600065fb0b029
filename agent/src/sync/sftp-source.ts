import { CodedError } from "@bbb/shared";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, rm } from "node:fs/promises";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import { AgentErrorCodes } from "../errors.js";

export interface SftpEndpoint {
  host: string;
  port: number;
  username: string;
  password: string;
  /** "SHA256:…" as the manager logs it (and `ssh-keygen -lf` prints it); checked when set. */
  hostKeyFingerprint?: string;
  readyTimeoutMs?: number;
}

export function fingerprintOf(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(publicKeyBlob).digest("base64").replace(/=+$/, "")}`;
}

function fail(message: string, reason: string): CodedError {
  return new CodedError(AgentErrorCodes.SYNC_FAILED, message, { reason });
}

/** Streams `chunks` through sha256 and a byte counter, refusing more than `limit` bytes. */
function meter(limit: number, onBytes: (n: number) => void) {
  const hash = createHash("sha256");
  let size = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) {
        cb(fail(`more bytes than expected (${limit})`, "size-mismatch"));
        return;
      }
      hash.update(chunk);
      onBytes(chunk.length);
      cb(null, chunk);
    },
  });
  return { t, result: () => ({ size, sha256: hash.digest("hex") }) };
}

export interface SftpSource {
  readFile(remote: string, maxBytes: number, signal: AbortSignal): Promise<Buffer>;
  /** Downloads into `local` (created, must not exist) and verifies size and sha256 before setting the mode. */
  download(
    remote: string,
    local: string,
    want: { size: number; sha256: string; mode: number },
    signal: AbortSignal,
    onBytes: (n: number) => void,
  ): Promise<void>;
  close(): Promise<void>;
}

/** Opens an SFTP session to the manager's project store with ssh2-sftp-client. */
export async function openSftpSource(ep: SftpEndpoint, log: Logger): Promise<SftpSource> {
  // Loaded on the first sync, not at start: ssh2 costs the agent ~6 MiB of RSS it rarely needs.
  const { default: SftpClient } = await import("ssh2-sftp-client");
  const client = new SftpClient("bbb-sync", {
    error: (err: unknown) => log.debug({ err }, "sftp connection error"),
    end: () => log.debug("sftp connection ended"),
    close: () => log.debug("sftp connection closed"),
  });
  const seen: { keyMismatch: string | null } = { keyMismatch: null };
  try {
    await client.connect({
      host: ep.host,
      port: ep.port,
      username: ep.username,
      password: ep.password,
      readyTimeout: ep.readyTimeoutMs ?? 20_000,
      hostVerifier: (key: Buffer) => {
        if (!ep.hostKeyFingerprint) return true;
        const got = fingerprintOf(key);
        if (got === ep.hostKeyFingerprint) return true;
        seen.keyMismatch = got;
        return false;
      },
    });
  } catch (e: unknown) {
    await client.end().catch(() => undefined);
    if (seen.keyMismatch)
      throw fail(
        `sftp host key ${seen.keyMismatch} does not match the configured ${ep.hostKeyFingerprint ?? ""}`,
        "host-key-mismatch",
      );
    throw fail(
      `sftp connection to ${ep.host}:${ep.port} failed: ${e instanceof Error ? e.message : String(e)}`,
      "connect",
    );
  }

  return {
    async readFile(remote, maxBytes, signal) {
      const parts: Buffer[] = [];
      const m = meter(maxBytes, () => undefined);
      const sink = new Writable({
        write(chunk: Buffer, _enc, cb) {
          parts.push(chunk);
          cb();
        },
      });
      try {
        await pipeline(client.createReadStream(remote), m.t, sink, { signal });
      } catch (e: unknown) {
        if (e instanceof CodedError) throw e;
        throw fail(`cannot read ${remote}: ${e instanceof Error ? e.message : String(e)}`, "read");
      }
      return Buffer.concat(parts);
    },
    async download(remote, local, want, signal, onBytes) {
      const m = meter(want.size, onBytes);
      try {
        await pipeline(client.createReadStream(remote), m.t, createWriteStream(local, { flags: "wx", mode: 0o600 }), {
          signal,
        });
        const got = m.result();
        if (got.size !== want.size || got.sha256 !== want.sha256) {
          throw fail(`${remote}: content does not match the manifest (size ${got.size}/${want.size})`, "verify");
        }
        await chmod(local, want.mode);
      } catch (e: unknown) {
        await rm(local, { force: true });
        if (e instanceof CodedError) throw e;
        if (signal.aborted) throw new CodedError(AgentErrorCodes.INTERRUPTED, "sync aborted");
        throw fail(`cannot download ${remote}: ${e instanceof Error ? e.message : String(e)}`, "download");
      }
    },
    async close() {
      await client.end().catch(() => undefined);
    },
  };
}
