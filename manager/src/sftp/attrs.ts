import type { Stats } from "node:fs";
import type { Attributes } from "ssh2";

const S_IFDIR = 0o040000;
const S_IFMT = 0o170000;

/** Attributes as served: write bits cleared, owner shown as 0: the store is read-only for everyone. */
export function toAttrs(st: Stats): Attributes {
  return {
    mode: st.mode & ~0o222,
    uid: 0,
    gid: 0,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  };
}

export function rootAttrs(mtimeS: number): Attributes {
  return { mode: S_IFDIR | 0o555, uid: 0, gid: 0, size: 4096, atime: mtimeS, mtime: mtimeS };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function modeString(mode: number): string {
  const kind = (mode & S_IFMT) === S_IFDIR ? "d" : (mode & S_IFMT) === 0o120000 ? "l" : "-";
  const bits = "rwxrwxrwx";
  let s = kind;
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? bits[i] : "-";
  return s;
}

/** The `ls -l` line OpenSSH's client prints for a directory entry. */
export function longname(name: string, a: Attributes): string {
  const d = new Date(a.mtime * 1000);
  const date = `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
  return `${modeString(a.mode)}    1 0        0        ${String(a.size).padStart(8, " ")} ${date} ${name}`;
}
