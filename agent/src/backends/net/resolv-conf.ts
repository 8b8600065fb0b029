import type { RootedFs } from "../../system/rooted-fs.js";

export const RESOLV_CONF = "/etc/resolv.conf";

export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}

/** Replaces the nameserver lines, keeping search/options lines. */
export function renderResolvConf(previous: string | null, servers: readonly string[]): string {
  const kept = (previous ?? "").split("\n").filter((l) => l.trim() !== "" && !/^\s*nameserver\s/.test(l));
  return [...kept, ...servers.map((s) => `nameserver ${s}`)].join("\n") + "\n";
}

export async function readNameservers(fs: RootedFs): Promise<string[]> {
  const t = await fs.tryReadSmall(RESOLV_CONF, 8192);
  return t === null ? [] : parseResolvConf(t);
}

/**
 * Writes /etc/resolv.conf, unless it is a symlink: then resolvconf or systemd-resolved own it
 * and replacing the link would break them.
 */
export async function writeNameservers(fs: RootedFs, servers: readonly string[]): Promise<void> {
  if (await fs.isSymlink(RESOLV_CONF)) return;
  await fs.writeAtomic(RESOLV_CONF, renderResolvConf(await fs.tryReadText(RESOLV_CONF), servers));
}
