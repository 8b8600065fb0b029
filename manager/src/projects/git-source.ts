import { rename, rm, stat } from "node:fs/promises";
import type { Exec, ExecResult } from "./exec.js";
import { ProjectErrorCodes } from "../errors.js";
import { CodedError } from "@bbb/shared";
import { gitAllowedProtocols } from "./source-policy.js";
import { redactUrl } from "../registry/type-secrets.js";

/** Never wait for a password or a host-key prompt: a refresh must fail, not hang. */
const GIT_ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: "0",
  GIT_ASKPASS: "/bin/false",
  SSH_ASKPASS: "/bin/false",
  GIT_SSH_COMMAND: "ssh -o BatchMode=yes",
  GIT_CONFIG_NOSYSTEM: "1",
  LC_ALL: "C",
};
/** Hooks and fsmonitor would run programs from the repository's configuration. */
const SAFE_CONFIG = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "core.fsmonitor=false",
  "-c",
  "protocol.ext.allow=never",
  // A redirect would lead the fetch to a host the source policy never saw.
  "-c",
  "http.followRedirects=false",
];

export interface GitDeps {
  exec: Exec;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The source URL: limits the transports git may use (source-policy.ts). */
  url?: string;
}

async function git(deps: GitDeps, args: string[], env: Record<string, string> = {}): Promise<ExecResult> {
  const protocols: Record<string, string> = deps.url ? { GIT_ALLOW_PROTOCOL: gitAllowedProtocols(deps.url) } : {};
  let r: ExecResult;
  try {
    r = await deps.exec(["git", ...SAFE_CONFIG, ...args], {
      env: { ...GIT_ENV, ...protocols, ...env },
      timeoutMs: deps.timeoutMs,
      signal: deps.signal,
    });
  } catch (e: unknown) {
    throw new CodedError(
      ProjectErrorCodes.GIT_FAILED,
      `git could not run: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (r.code !== 0) {
    const what = r.code === null ? "was killed (timeout or abort)" : `exited with ${r.code}`;
    const tail = redactUrl(r.stderr.trim().split("\n").slice(-3).join(" | ")).slice(0, 500);
    throw new CodedError(
      ProjectErrorCodes.GIT_FAILED,
      `git ${args.find((a) => !a.startsWith("-")) ?? ""} ${what}: ${tail}`,
    );
  }
  return r;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Brings the type's mirror (`cacheDir`, a bare repository the store owns) up to date with
 * `url` and resolves `ref` to a commit id. The mirror is re-cloned when the URL changed.
 * URLs are validated by gitUrlSchema before they get here and always follow `--`.
 */
export async function fetchGitRevision(deps: GitDeps, cacheDir: string, url: string, ref: string): Promise<string> {
  let fresh = false;
  if (await exists(cacheDir)) {
    const cur = await git(deps, [`--git-dir=${cacheDir}`, "config", "--get", "remote.origin.url"]).catch(() => null);
    if (cur?.stdout.trim() !== url) {
      await rm(cacheDir, { recursive: true, force: true });
    }
  }
  if (!(await exists(cacheDir))) {
    const tmp = `${cacheDir}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await git(deps, ["clone", "--mirror", "--quiet", "--", url, tmp]);
    await rename(tmp, cacheDir);
    fresh = true;
  }
  if (!fresh) await git(deps, [`--git-dir=${cacheDir}`, "fetch", "--prune", "--quiet", "origin"]);
  const r = await git(deps, [
    `--git-dir=${cacheDir}`,
    "rev-parse",
    "--verify",
    "--quiet",
    "--end-of-options",
    `${ref}^{commit}`,
  ]).catch((e: unknown) => {
    throw new CodedError(ProjectErrorCodes.GIT_FAILED, `ref '${ref}' not found in ${redactUrl(url)}`, { cause: e });
  });
  const commit = r.stdout.trim();
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit)) {
    throw new CodedError(ProjectErrorCodes.GIT_FAILED, `unexpected rev-parse output for '${ref}'`);
  }
  return commit;
}

/** Writes the files of `commit` into the empty folder `into`, with a throw-away index outside it. */
export async function checkoutGitCommit(
  deps: GitDeps,
  cacheDir: string,
  commit: string,
  into: string,
  indexFile: string,
) {
  try {
    await git(
      deps,
      [
        "-c",
        "core.symlinks=true",
        `--git-dir=${cacheDir}`,
        `--work-tree=${into}`,
        "checkout",
        "-f",
        "--quiet",
        commit,
        "--",
        ".",
      ],
      { GIT_INDEX_FILE: indexFile },
    );
  } finally {
    await rm(indexFile, { force: true });
  }
}
