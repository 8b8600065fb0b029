import type { RootedFs } from "../system/rooted-fs.js";
import type { Runner } from "../system/runner.js";
import type { Restore } from "./net/types.js";

/** Points 127.0.1.1 at the new name (Debian's convention), adding the line if absent. */
export function renderHosts(previous: string | null, hostname: string): string {
  const lines = (previous ?? "127.0.0.1\tlocalhost\n").replace(/\n+$/, "").split("\n");
  const short = hostname.split(".")[0] ?? hostname;
  const entry = short === hostname ? `127.0.1.1\t${hostname}` : `127.0.1.1\t${hostname} ${short}`;
  const i = lines.findIndex((l) => /^\s*127\.0\.1\.1\s/.test(l));
  if (i >= 0) lines[i] = entry;
  else {
    const lo = lines.findIndex((l) => /^\s*127\.0\.0\.1\s/.test(l));
    lines.splice(lo >= 0 ? lo + 1 : 0, 0, entry);
  }
  return lines.join("\n") + "\n";
}

/** Hostname via /etc/hostname + /etc/hosts + `hostname <name>` (docs/protocol.md §"Commands and results"). */
export function createHostnameBackend(fs: RootedFs) {
  const backend = {
    async read(): Promise<string> {
      return ((await fs.tryReadSmall("/etc/hostname", 256)) ?? "").trim();
    },
    async set(name: string, run: Runner): Promise<void> {
      await fs.writeAtomic("/etc/hostname", `${name}\n`);
      await fs.writeAtomic("/etc/hosts", renderHosts(await fs.tryReadText("/etc/hosts"), name));
      await run("hostname", [name]);
    },
    async snapshot(): Promise<Restore> {
      const hostname = await fs.tryReadText("/etc/hostname");
      const hosts = await fs.tryReadText("/etc/hosts");
      return async (run) => {
        if (hostname !== null) await fs.writeAtomic("/etc/hostname", hostname);
        if (hosts !== null) await fs.writeAtomic("/etc/hosts", hosts);
        const name = hostname?.trim();
        if (name) await run("hostname", [name]);
      };
    },
  };
  return backend;
}
export type HostnameBackend = ReturnType<typeof createHostnameBackend>;
