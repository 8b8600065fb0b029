import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, lstat, mkdir, readdir, readlink, symlink, unlink, rm } from "node:fs/promises";
import { join, posix } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CodedError, projectPathSchema } from "@bbb/shared";
import { ProjectErrorCodes } from "../errors.js";
import { MANIFEST_FILE, type ManifestDir, type ManifestFile, type ManifestLink } from "./schemas.js";

export interface TreeLimits {
  maxFiles: number;
  maxBytes: number;
}
export const DEFAULT_TREE_LIMITS: TreeLimits = { maxFiles: 100_000, maxBytes: 4 * 1024 ** 3 };

export interface TreeEntries {
  files: ManifestFile[];
  dirs: ManifestDir[];
  links: ManifestLink[];
  /** Paths left out, with the reason (escaping symlink, special file, bad name). */
  skipped: string[];
  totalBytes: number;
}

/** A relative link target that, resolved from the link's folder, stays inside the tree. */
export function linkStaysInside(linkPath: string, target: string): boolean {
  if (target.length === 0 || target.startsWith("/") || target.includes("\0")) return false;
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  return resolved !== ".." && !resolved.startsWith("../") && resolved !== ".";
}

const byPath = <T extends { path: string }>(a: T, b: T) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** Version-control metadata is not project content; the manifest name is ours. */
function excluded(rel: string, isDir: boolean): boolean {
  if (isDir) return posix.basename(rel) === ".git";
  return rel === MANIFEST_FILE;
}

async function hashFile(path: string, signal: AbortSignal | undefined, copyTo?: { path: string; mode: number }) {
  const hash = createHash("sha256");
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  if (copyTo) {
    await pipeline(createReadStream(path), tap, createWriteStream(copyTo.path, { flags: "wx", mode: 0o600 }), {
      signal,
    });
    await chmod(copyTo.path, copyTo.mode);
  } else {
    for await (const chunk of createReadStream(path, { signal })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  }
  return { sha256: hash.digest("hex"), size };
}

/**
 * Walks `from` and lists its files (hashed), folders and inside-pointing symlinks.
 * With `to`, copies into that (new, empty) folder while hashing: one read per file, and the
 * manifest describes exactly the bytes written. Without `to`, scans `from` in place and
 * removes what must not be served (escaping symlinks, special files): `from` is then a tree
 * the store owns (a git checkout). Symlinks are never followed.
 */
export async function buildTree(opts: {
  from: string;
  to?: string;
  limits: TreeLimits;
  signal?: AbortSignal;
}): Promise<TreeEntries> {
  const { from, to, limits, signal } = opts;
  const out: TreeEntries = { files: [], dirs: [], links: [], skipped: [], totalBytes: 0 };
  const dirModes: { path: string; mode: number }[] = [];

  const skip = async (rel: string, why: string, abs: string) => {
    if (out.skipped.length < 100) out.skipped.push(`${rel}: ${why}`);
    if (!to) await rm(abs, { recursive: true, force: true });
  };

  async function walk(rel: string): Promise<void> {
    if (signal?.aborted) throw new CodedError(ProjectErrorCodes.ABORTED, "refresh aborted");
    const dirAbs = rel ? join(from, rel) : from;
    const names = (await readdir(dirAbs)).sort();
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = join(dirAbs, name);
      const st = await lstat(abs);
      if (excluded(childRel, st.isDirectory())) {
        if (!to && !st.isDirectory()) await unlink(abs);
        continue;
      }
      if (!projectPathSchema.safeParse(childRel).success || name.includes("\uFFFD")) {
        await skip(childRel, "unsupported name", abs);
        continue;
      }
      const mode = st.mode & 0o777;
      if (st.isDirectory()) {
        out.dirs.push({ path: childRel, mode });
        if (to) {
          await mkdir(join(to, childRel), { mode: 0o700 });
          dirModes.push({ path: join(to, childRel), mode });
        }
        await walk(childRel);
      } else if (st.isSymbolicLink()) {
        const target = await readlink(abs);
        if (!linkStaysInside(childRel, target)) {
          await skip(childRel, "symlink pointing outside the project", abs);
          continue;
        }
        out.links.push({ path: childRel, target });
        if (to) await symlink(target, join(to, childRel));
      } else if (st.isFile()) {
        if (out.files.length + 1 > limits.maxFiles) {
          throw new CodedError(ProjectErrorCodes.TOO_LARGE, `project has more than ${limits.maxFiles} files`);
        }
        if (out.totalBytes + st.size > limits.maxBytes) {
          throw new CodedError(ProjectErrorCodes.TOO_LARGE, `project is larger than ${limits.maxBytes} bytes`);
        }
        const { sha256, size } = await hashFile(abs, signal, to ? { path: join(to, childRel), mode } : undefined);
        out.totalBytes += size;
        out.files.push({ path: childRel, size, mode, sha256 });
      } else {
        await skip(childRel, "not a regular file, folder or symlink", abs);
      }
    }
  }

  await walk("");
  // Folder modes last, deepest first: a read-only folder must not block the copy of its children.
  for (const d of dirModes.reverse()) await chmod(d.path, d.mode);
  out.files.sort(byPath);
  out.dirs.sort(byPath);
  out.links.sort(byPath);
  return out;
}
