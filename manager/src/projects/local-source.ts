import { createHash } from "node:crypto";
import { lstat, readdir, readlink, realpath } from "node:fs/promises";
import { join, sep } from "node:path";
import { ProjectErrorCodes } from "../errors.js";
import { CodedError } from "@bbb/shared";

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * Resolves a local source folder and checks it may be served: it must exist, lie under one of
 * `allowedRoots` when those are configured, and neither contain nor lie inside the store
 * (a copy of a folder into itself never ends).
 */
export async function resolveLocalSource(
  path: string,
  projectsDir: string,
  allowedRoots: readonly string[] | undefined,
) {
  let real: string;
  try {
    real = await realpath(path);
    if (!(await lstat(real)).isDirectory()) throw new Error("not a folder");
  } catch (e: unknown) {
    throw new CodedError(
      ProjectErrorCodes.SOURCE_UNREADABLE,
      `local source ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (allowedRoots && !allowedRoots.some((r) => inside(real, r))) {
    throw new CodedError(ProjectErrorCodes.SOURCE_FORBIDDEN, `local source ${path} is outside the allowed folders`);
  }
  const store = await realpath(projectsDir).catch(() => projectsDir);
  if (inside(real, store) || inside(store, real)) {
    throw new CodedError(ProjectErrorCodes.SOURCE_FORBIDDEN, `local source ${path} overlaps the project store`);
  }
  return real;
}

/**
 * A cheap fingerprint of a folder from metadata only (names, kinds, sizes, mtimes, modes, link
 * targets): the timer compares it with the last build's to skip copying and hashing an
 * unchanged folder. Any difference triggers a full rebuild, whose content hash decides the revision.
 */
export async function statFingerprint(root: string, signal?: AbortSignal): Promise<string> {
  const h = createHash("sha256");
  async function walk(rel: string): Promise<void> {
    if (signal?.aborted) throw new CodedError(ProjectErrorCodes.ABORTED, "refresh aborted");
    const names = (await readdir(rel ? join(root, rel) : root)).sort();
    for (const name of names) {
      const r = rel ? `${rel}/${name}` : name;
      const st = await lstat(join(root, r));
      const link = st.isSymbolicLink() ? await readlink(join(root, r)) : "";
      h.update(`${r}\0${st.mode}\0${st.size}\0${st.mtimeMs}\0${st.ino}\0${link}\n`);
      if (st.isDirectory()) await walk(r);
    }
  }
  await walk("");
  return h.digest("hex");
}
