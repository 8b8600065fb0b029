import { createHash } from "node:crypto";
import { lstat, readdir, readlink, realpath } from "node:fs/promises";
import { join } from "node:path";
import { ProjectErrorCodes } from "../errors.js";
import { CodedError } from "@bbb/shared";
import { allowedLocalPath, inside, type SourcePolicy } from "./source-policy.js";

/**
 * Resolves a local source folder and checks it may be served: allowed by the source policy
 * (under a project root, outside the data dir) and neither containing nor lying inside the
 * store (a copy of a folder into itself never ends).
 */
export async function resolveLocalSource(path: string, projectsDir: string, policy: SourcePolicy) {
  const real = await allowedLocalPath(policy, path);
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
