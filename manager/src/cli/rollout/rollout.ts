import { choosePackage, type AgentPackage } from "./packages.js";
import type { RolloutHost } from "./hosts-file.js";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RolloutDeps {
  /** Runs a program (argv, no shell): the operator's `ssh` and `scp`. */
  run(file: string, args: readonly string[], timeoutMs: number): Promise<RunResult>;
  /** The board as the registry sees it; null while it is unknown. */
  boardStatus(boardId: string): Promise<{ state: string; agentVersion: string | null } | null>;
  /** Path of the board's provisioned agent config on this machine. */
  configFile(boardId: string): Promise<string>;
  out(line: string): void;
  progress(done: number, total: number): void;
  sleep(ms: number): Promise<void>;
  now(): number;
}

export interface RolloutOptions {
  hosts: RolloutHost[];
  packages: AgentPackage[];
  /** Boards done first, alone; any failure among them stops the rollout. */
  canary: number;
  concurrency: number;
  /** The rollout stops starting boards once more than this many failed. */
  maxFailures: number;
  dryRun: boolean;
  /** Extra `ssh`/`scp` options before the target (e.g. -F FILE, -o Port=…). */
  sshOptions: string[];
  /** How long a board has to come online with the new version after its install. */
  onlineTimeoutMs: number;
  pollMs: number;
}

export type BoardOutcome = "ok" | "failed" | "skipped" | "planned";
export interface RolloutSummary {
  outcomes: Map<string, BoardOutcome>;
  ok: number;
  failed: number;
  skipped: number;
  planned: number;
}

const REMOTE_DIR = /^\/tmp\/bbb-rollout\.[A-Za-z0-9]{6,}$/;
/** Alive at the registry: heartbeating (docs/protocol.md board states), registered or not yet. */
const ONLINE = new Set(["online", "misconfigured", "unregistered"]);

class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `bbbctl rollout` (docs/deployment.md "Rolling out to many boards"): per board, over the
 * operator's own OpenSSH, read its architecture and glibc, pick the package its runtime fits,
 * copy the package and the board's provisioned config, install both (dpkg keeps a changed
 * config: --force-confold), then wait until the registry shows the board online with the new
 * agent version. Canary boards first; stops when a canary fails or failures pass the limit.
 */
export async function rollout(deps: RolloutDeps, o: RolloutOptions): Promise<RolloutSummary> {
  const outcomes = new Map<string, BoardOutcome>();
  let failed = 0;
  let done = 0;
  const total = o.hosts.length;
  const ssh = (h: RolloutHost, command: string, timeoutMs = 60_000) =>
    deps.run("ssh", [...o.sshOptions, "-o", "BatchMode=yes", "--", h.target, command], timeoutMs);
  const step = async (name: string, p: Promise<RunResult>): Promise<string> => {
    const r = await p;
    if (r.code !== 0)
      throw new StepError(
        name,
        (r.stderr.trim() || r.stdout.trim() || `exit ${r.code}`).split("\n").slice(-3).join(" | "),
      );
    return r.stdout;
  };

  async function one(h: RolloutHost): Promise<void> {
    const started = deps.now();
    const label = `${h.boardId} ${h.target}`;
    try {
      const facts = (await step("probe", ssh(h, "dpkg --print-architecture && dpkg-query -W -f '${Version}\\n' libc6")))
        .trim()
        .split("\n");
      const arch = facts[0]?.trim() ?? "";
      const glibc = /^(\d+\.\d+)/.exec(facts[1]?.trim() ?? "")?.[1] ?? "0";
      const pkg = choosePackage(o.packages, arch, glibc);
      if (!pkg) throw new StepError("probe", `no package for ${arch} with glibc ${glibc}`);
      const config = await deps.configFile(h.boardId);
      if (o.dryRun) {
        outcomes.set(h.boardId, "planned");
        deps.out(`plan ${label}: ${arch}, glibc ${glibc} -> ${pkg.file} + ${config}`);
        return;
      }
      const dir = (await step("mktemp", ssh(h, "mktemp -d /tmp/bbb-rollout.XXXXXXXX"))).trim();
      if (!REMOTE_DIR.test(dir)) throw new StepError("mktemp", `unexpected remote folder ${JSON.stringify(dir)}`);
      await step(
        "copy",
        deps.run(
          "scp",
          [...o.sshOptions, "-q", "-o", "BatchMode=yes", "--", pkg.path, `${h.target}:${dir}/bbb-agent.deb`],
          600_000,
        ),
      );
      await step(
        "copy",
        deps.run(
          "scp",
          [...o.sshOptions, "-q", "-o", "BatchMode=yes", "--", config, `${h.target}:${dir}/config.json`],
          60_000,
        ),
      );
      await step(
        "install",
        ssh(
          h,
          `set -e; d=${dir}; install -d -m 0755 /etc/bbb-agent; install -m 0600 "$d/config.json" /etc/bbb-agent/config.json; ` +
            `dpkg --force-confold --force-confdef -i "$d/bbb-agent.deb"; rm -rf "$d"`,
          600_000,
        ),
      );
      const deadline = deps.now() + o.onlineTimeoutMs;
      let seen: { state: string; agentVersion: string | null } | null = null;
      for (;;) {
        seen = await deps.boardStatus(h.boardId);
        if (seen && ONLINE.has(seen.state) && seen.agentVersion === pkg.agentVersion) break;
        if (deps.now() >= deadline) {
          throw new StepError(
            "online",
            `not online with ${pkg.agentVersion} after ${Math.round(o.onlineTimeoutMs / 1000)} s (${seen ? `${seen.state}, agent ${seen.agentVersion ?? "?"}` : "unknown to the registry"})`,
          );
        }
        await deps.sleep(o.pollMs);
      }
      outcomes.set(h.boardId, "ok");
      deps.out(
        `ok   ${label}: ${pkg.file}, ${seen.state} with agent ${pkg.agentVersion} (${((deps.now() - started) / 1000).toFixed(1)} s)`,
      );
    } catch (e: unknown) {
      failed++;
      outcomes.set(h.boardId, "failed");
      const where = e instanceof StepError ? e.step : "error";
      deps.out(`FAIL ${label}: ${where}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      done++;
      deps.progress(done, total);
    }
  }

  async function batch(hosts: RolloutHost[], limit: () => boolean): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < hosts.length && !limit()) await one(hosts[next++]!);
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, hosts.length)) }, worker));
  }

  const canary = o.hosts.slice(0, o.canary);
  const rest = o.hosts.slice(o.canary);
  deps.progress(0, total);
  await batch(canary, () => false);
  if (failed > 0 && canary.length > 0) deps.out(`canary failed: ${rest.length} board(s) not started`);
  else await batch(rest, () => failed > o.maxFailures);
  if (failed > o.maxFailures && rest.length > 0)
    deps.out(`stopped: ${failed} failure(s), more than --max-failures ${o.maxFailures}`);
  for (const h of o.hosts) if (!outcomes.has(h.boardId)) outcomes.set(h.boardId, "skipped");
  const count = (k: BoardOutcome) => [...outcomes.values()].filter((v) => v === k).length;
  return { outcomes, ok: count("ok"), failed: count("failed"), skipped: count("skipped"), planned: count("planned") };
}
