import { lstat, realpath } from "node:fs/promises";
import { join, posix, sep } from "node:path";
import { nameSchema } from "@bbb/shared";
import { SftpRefusal, SftpStatus } from "./sftp-errors.js";

/** Who is logged in: an agent (board id + token) or a user with a role. */
export type SftpPrincipal = { kind: "agent"; boardId: string } | { kind: "user"; role: string };

/** Optional per-type restriction: agents read only their own type's tree when the type says so. */
export interface SftpAccessPolicy {
  isRestricted(typeName: string): boolean;
  typeOfBoard(boardId: string): string | null;
}

/**
 * Normalises a client path into the virtual namespace where the store root is "/" and each
 * type's tree is "/<type>". Relative paths start at "/" (the only working directory we report).
 * Returns the segments, or null when ".." climbs above the root.
 */
export function virtualSegments(path: string): string[] | null {
  if (path.includes("\0")) return null;
  const segs: string[] = [];
  for (const s of path.split("/")) {
    if (s === "" || s === ".") continue;
    if (s === "..") {
      if (segs.length === 0) return null;
      segs.pop();
    } else segs.push(s);
  }
  return segs;
}

/** REALPATH answers lexically; climbing above the root stays at the root, as in a chroot. */
export function virtualRealpath(path: string): string {
  const segs = virtualSegments(path) ?? [];
  return posix.join("/", ...segs);
}

export function mayRead(typeName: string, who: SftpPrincipal, policy: SftpAccessPolicy | undefined): boolean {
  if (!nameSchema.safeParse(typeName).success) return false;
  if (who.kind !== "agent" || !policy || !policy.isRestricted(typeName)) return true;
  return policy.typeOfBoard(who.boardId) === typeName;
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent + sep);
}

export type Resolved = { kind: "root" } | { kind: "path"; real: string; typeRoot: string; virtual: string };

/**
 * Maps a client path to a real path confined to the tree of its type: the type's root is
 * resolved (it is the store's live symlink), and the real path of the target (or of its
 * folder, with `noFollow`) must lie inside it, so no symlink in a tree reaches out of it.
 */
export async function resolvePath(
  root: string,
  path: string,
  who: SftpPrincipal,
  policy: SftpAccessPolicy | undefined,
  opts: { noFollow?: boolean } = {},
): Promise<Resolved> {
  const segs = virtualSegments(path);
  if (segs === null) throw new SftpRefusal(SftpStatus.PERMISSION_DENIED, "Path outside the project store");
  const [typeName, ...rest] = segs;
  if (typeName === undefined) return { kind: "root" };
  if (!mayRead(typeName, who, policy)) throw new SftpRefusal(SftpStatus.PERMISSION_DENIED, "Permission denied");
  let typeRoot: string;
  try {
    typeRoot = await realpath(join(root, typeName));
  } catch {
    throw new SftpRefusal(SftpStatus.NO_SUCH_FILE, "No such file");
  }
  const storeRoot = await realpath(root);
  if (!inside(typeRoot, storeRoot)) throw new SftpRefusal(SftpStatus.PERMISSION_DENIED, "Permission denied");
  const virtual = posix.join("/", ...segs);
  if (rest.length === 0) return { kind: "path", real: typeRoot, typeRoot, virtual };
  const lexical = join(typeRoot, ...rest);
  let real: string;
  if (opts.noFollow) {
    const parent = await realpath(join(typeRoot, ...rest.slice(0, -1)));
    real = join(parent, rest[rest.length - 1] ?? "");
    await lstat(real);
    if (!inside(parent, typeRoot)) throw new SftpRefusal(SftpStatus.PERMISSION_DENIED, "Path outside the project");
  } else {
    real = await realpath(lexical);
    if (!inside(real, typeRoot)) throw new SftpRefusal(SftpStatus.PERMISSION_DENIED, "Path outside the project");
  }
  return { kind: "path", real, typeRoot, virtual };
}
