import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CodedError, projectPathSchema } from "@bbb/shared";
import { AgentErrorCodes } from "../errors.js";
import { unifiedDiff } from "./line-diff.js";
import type { Manifest, ManifestFile } from "./manifest.js";
import type { SftpSource } from "./sftp-source.js";
import { writeFileAtomic } from "@bbb/shared/node";
import type { FileChanges } from "../system/file-changes.js";
import { createFileHashWatcher } from "./sync-state.js";

const MAX_RC_LOCAL_BYTES = 1024 * 1024;

function rcError(message: string, reason: string): CodedError {
  return new CodedError(AgentErrorCodes.SYNC_FAILED, message, { reason });
}
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/**
 * rc.local decides what a board starts at boot: the type names a file of its
 * project, installed to /etc/rc.local (through the root prefix) atomically with mode 0755.
 */
export function createRcLocal(opts: {
  /** false: leave rc.local alone. `path` overrides the manifest's rcLocalPath. */
  config: { path?: string; installTo?: string } | false | undefined;
  /** Host path of a system path (the root prefix). */
  resolve: (systemPath: string) => string;
  /** Host path of the installed project tree. */
  live: string;
  /** Change detection of the installed file (system/file-changes.ts); default: stat'ed at every ask. */
  watch?: (systemPath: string) => FileChanges;
}) {
  const systemPath = opts.config === false ? null : (opts.config?.installTo ?? "/etc/rc.local");
  const hostPath = systemPath === null ? null : opts.resolve(systemPath);
  const installedHash =
    systemPath !== null && hostPath !== null
      ? createFileHashWatcher(hostPath, opts.watch?.(systemPath))
      : (_fresh?: boolean) => null;

  /** The manifest entry to install, or null when this board or type has none. */
  function entry(m: Manifest): ManifestFile | null {
    if (opts.config === false) return null;
    const p = opts.config?.path ?? m.rcLocalPath;
    if (!p || !projectPathSchema.safeParse(p).success) return null;
    const f = m.files.find((x) => x.path === p);
    if (!f) throw rcError(`rc.local ${p} is not a file of the project`, "rc-local-missing");
    if (f.size > MAX_RC_LOCAL_BYTES)
      throw rcError(`rc.local is larger than ${MAX_RC_LOCAL_BYTES} bytes`, "rc-local-size");
    return f;
  }

  return {
    /** The installed file's sha256 (null: none); `fresh`: looked at now, whatever the watch says. */
    installedHash,
    entry,
    /** Whether the installed rc.local differs from the project's. */
    needsInstall: (f: ManifestFile | null): f is ManifestFile =>
      f !== null && hostPath !== null && f.sha256 !== installedHash(true),
    /**
     * Unified diff installed → project. The new content comes from the live tree when it is
     * unchanged there, else from the server; either way it must match the manifest's sha256.
     */
    async diff(
      f: ManifestFile,
      inLive: boolean,
      source: SftpSource,
      remote: string,
      signal: AbortSignal,
    ): Promise<string> {
      const content = inLive ? await readFile(join(opts.live, f.path)) : await source.readFile(remote, f.size, signal);
      if (sha256(content) !== f.sha256) throw rcError(`${f.path}: content does not match the manifest`, "verify");
      const old = hostPath ? await readFile(hostPath, "utf8").catch(() => "") : "";
      return unifiedDiff(old, content.toString("utf8"), {
        oldName: systemPath ?? "",
        newName: remote.replace(/^\//, ""),
      });
    },
    /** Installs the file from the (verified, swapped-in) live tree. */
    async install(f: ManifestFile): Promise<string> {
      if (!hostPath) throw rcError("rc.local installation is disabled", "rc-local-disabled");
      const content = await readFile(join(opts.live, f.path));
      if (sha256(content) !== f.sha256) throw rcError(`${f.path}: content does not match the manifest`, "verify");
      await writeFileAtomic(hostPath, content, 0o755);
      return hostPath;
    },
  };
}
export type RcLocal = ReturnType<typeof createRcLocal>;
