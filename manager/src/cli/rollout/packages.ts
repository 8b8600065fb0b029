import { basename } from "node:path";

/** One agent package as `dpkg-deb -f` describes it. */
export interface AgentPackage {
  path: string;
  file: string;
  architecture: string;
  /** Debian version, e.g. 0.1.0~deb9. */
  version: string;
  /** What the agent reports as agentVersion: the Debian version without its ~suffix. */
  agentVersion: string;
  /** The glibc the runtime needs (Depends: libc6 (>= X)). */
  minGlibc: string;
}

/** Parses `dpkg-deb -f <deb> Package Version Architecture Depends` output. */
export function parsePackageFields(path: string, fields: string): AgentPackage {
  const get = (name: string) => new RegExp(`^${name}: (.*)$`, "m").exec(fields)?.[1]?.trim() ?? "";
  if (get("Package") !== "bbb-agent") throw new Error(`${path} is not a bbb-agent package`);
  const version = get("Version");
  const libc = /libc6 \(>= ([0-9.]+)\)/.exec(get("Depends"))?.[1] ?? "0";
  return {
    path,
    file: basename(path),
    architecture: get("Architecture"),
    version,
    agentVersion: version.replace(/[~+].*$/, ""),
    minGlibc: libc,
  };
}

const glibcNumber = (v: string) => {
  const [major = 0, minor = 0] = v.split(".").map((x) => Number.parseInt(x, 10) || 0);
  return major * 1000 + minor;
};

/**
 * The package for a board (docs/deployment.md "Debian versions"): its architecture, and of
 * those the one with the newest runtime the board's glibc can run (Node 18 on Debian 10+,
 * Node 16 on Debian 9). Null when none fits.
 */
export function choosePackage(
  packages: readonly AgentPackage[],
  arch: string,
  glibcVersion: string,
): AgentPackage | null {
  const have = glibcNumber(glibcVersion);
  const fits = packages.filter((p) => p.architecture === arch && glibcNumber(p.minGlibc) <= have);
  fits.sort((a, b) => glibcNumber(b.minGlibc) - glibcNumber(a.minGlibc));
  return fits[0] ?? null;
}
