import { lstat, realpath } from "node:fs/promises";
import { sep } from "node:path";
import type { ProjectSource } from "@bbb/shared";
import { CodedError } from "@bbb/shared";
import { ProjectErrorCodes } from "../errors.js";

/**
 * Where a type's project may come from (docs/configuration.md `projectRoots`, `gitHosts`): local
 * folders (and git repositories given by path) only under a folder the admin configured and never
 * inside the data dir; remote git only from a configured host. The type's editor is an operator,
 * and the store serves what it builds to every board token over SFTP.
 */
export interface SourcePolicy {
  /** Folders local sources must lie under (realpath); empty: no local source is accepted. */
  projectRoots: readonly string[];
  /** Host names remote git sources may name; "*" allows any; empty: no remote git. */
  gitHosts: readonly string[];
  /** Never served, whatever the roots say: users, fleet secret, host key, backups. */
  dataDir: string;
}

export function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

const forbidden = (msg: string) => new CodedError(ProjectErrorCodes.SOURCE_FORBIDDEN, msg);

async function real(p: string): Promise<string> {
  return realpath(p).catch(() => p);
}

/** The real folder of a local path, refused unless under a project root and outside the data dir. */
export async function allowedLocalPath(policy: SourcePolicy, path: string): Promise<string> {
  let resolved: string;
  try {
    resolved = await realpath(path);
    if (!(await lstat(resolved)).isDirectory()) throw new Error("not a folder");
  } catch (e: unknown) {
    throw new CodedError(
      ProjectErrorCodes.SOURCE_UNREADABLE,
      `local source ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const data = await real(policy.dataDir);
  if (inside(resolved, data) || inside(data, resolved)) throw forbidden(`${path} overlaps the data directory`);
  const roots = await Promise.all(policy.projectRoots.map(real));
  if (!roots.some((r) => inside(resolved, r))) {
    throw forbidden(
      roots.length === 0
        ? `local sources are disabled: no project root configured (BBB_PROJECT_ROOTS)`
        : `${path} is outside the project roots (BBB_PROJECT_ROOTS)`,
    );
  }
  return resolved;
}

/** The host a remote git URL names, or the path of a local one (file:///, absolute path). */
export function gitUrlTarget(url: string): { host: string } | { path: string } {
  if (url.startsWith("/")) return { path: url };
  if (url.startsWith("file://")) return { path: decodeURIComponent(url.slice("file://".length)) };
  const scheme = /^(https?|ssh|git):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/i.exec(url);
  if (scheme?.[2]) return { host: scheme[2].toLowerCase() };
  const scp = /^[A-Za-z0-9_.-]+@([A-Za-z0-9_.-]+):/.exec(url);
  if (scp?.[1]) return { host: scp[1].toLowerCase() };
  throw forbidden(`git URL scheme not allowed: only https, http, ssh, git and user@host:path`);
}

/** Throws MGR_E_PROJECT_SOURCE_FORBIDDEN (or _UNREADABLE) unless the policy allows the source. */
export async function checkSource(policy: SourcePolicy, source: ProjectSource): Promise<void> {
  if (source.kind === "local") {
    await allowedLocalPath(policy, source.path);
    return;
  }
  const target = gitUrlTarget(source.url);
  if ("path" in target) {
    await allowedLocalPath(policy, target.path);
    return;
  }
  const hosts = policy.gitHosts.map((h) => h.toLowerCase());
  if (!hosts.includes("*") && !hosts.includes(target.host)) {
    throw forbidden(
      `git host ${target.host} is not allowed (BBB_GIT_HOSTS${hosts.length === 0 ? " is empty" : `: ${hosts.join(", ")}`})`,
    );
  }
}

/** git's own protocol allow-list for one fetch: local repositories over file only, remote never file or ext. */
export function gitAllowedProtocols(url: string): string {
  return "path" in gitUrlTarget(url) ? "file" : "https:http:ssh:git";
}
