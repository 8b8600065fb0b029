import { spawn } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { hostViewSchema } from "@bbb/shared";
import { CliError, EXIT, type CliContext } from "../context.js";
import { createProgressBar } from "../progress.js";
import { parseHostsFile } from "../rollout/hosts-file.js";
import { parsePackageFields, type AgentPackage } from "../rollout/packages.js";
import { rollout, type RunResult } from "../rollout/rollout.js";

interface RolloutFlags {
  hosts: string;
  deb: string[];
  configs: string;
  canary: string;
  concurrency: string;
  maxFailures: string;
  dryRun?: boolean;
  sshConfig?: string;
  sshOption: string[];
  onlineTimeout: string;
}

/** Runs a program with an argv array and a time limit; never through a shell. */
function run(file: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((done) => {
    const p = spawn(file, [...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    p.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    p.on("error", (e) => {
      clearTimeout(timer);
      done({ code: 127, stdout, stderr: `${stderr}${e.message}` });
    });
    p.on("close", (code) => {
      clearTimeout(timer);
      done({ code: code ?? 128, stdout, stderr });
    });
  });
}

const positive = (name: string, v: string, min: number): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be an integer >= ${min}, got ${v}`);
  return n;
};

/** --deb FILE or a folder of bbb-agent_*.deb, each described by dpkg-deb. */
async function loadPackages(paths: string[]): Promise<AgentPackage[]> {
  const files: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => null);
    if (!s) throw new CliError(`--deb ${p}: not found`);
    if (s.isDirectory())
      files.push(...(await readdir(p)).filter((f) => /^bbb-agent_.*\.deb$/.test(f)).map((f) => join(p, f)));
    else files.push(p);
  }
  if (files.length === 0) throw new CliError(`--deb ${paths.join(", ")}: no bbb-agent_*.deb`);
  const out: AgentPackage[] = [];
  for (const f of files) {
    const r = await run("dpkg-deb", ["-f", f, "Package", "Version", "Architecture", "Depends"], 30_000);
    if (r.code !== 0) throw new CliError(`--deb ${f}: dpkg-deb: ${r.stderr.trim()}`);
    try {
      out.push(parsePackageFields(resolve(f), r.stdout));
    } catch (e: unknown) {
      throw new CliError(`--deb ${f}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}

export function registerRollout(program: Command, ctx: CliContext): void {
  const collect = (v: string, prev: string[] = []) => [...prev, v];
  program
    .command("rollout")
    .description("Install the agent package on boards over ssh and wait until each is online with it")
    .requiredOption("--hosts <file>", 'boards, one per line: "<ssh target> <board id>"')
    .requiredOption(
      "--deb <path>",
      "agent package, or a folder of them (repeat; each board gets the one it can run)",
      collect,
    )
    .option(
      "--configs <dir>",
      "folder of <boardId>.json agent configs (bbbctl provision <id> > <dir>/<id>.json)",
      "configs",
    )
    .option("--canary <n>", "boards done first; a failure among them stops the rollout", "1")
    .option("--concurrency <n>", "boards installed at once", "4")
    .option("--max-failures <n>", "stop starting boards once more than this many failed", "0")
    .option("--dry-run", "probe each board and print the package it would get; change nothing")
    .option("--ssh-config <file>", "ssh config file for ssh and scp (-F)")
    .option("--ssh-option <opt>", "ssh/scp -o option (repeat)", collect, [])
    .option("--online-timeout <seconds>", "time for a board to come online with the new version", "180")
    .addHelpText(
      "after",
      "\nThe operator's own OpenSSH (ssh, scp, keys, agent) logs in as root on each board.\n" +
        "Examples:\n  bbbctl rollout --hosts boards.txt --deb agent/dist-deb --canary 2 --dry-run\n" +
        "  bbbctl rollout --hosts boards.txt --deb agent/dist-deb --configs configs --concurrency 8",
    )
    .action(async (f: RolloutFlags) => {
      const parsed = parseHostsFile(
        await ctx.io.readFile(f.hosts).catch(() => {
          throw new CliError(`--hosts ${f.hosts}: cannot be read`);
        }),
      );
      if (parsed.errors.length > 0) throw new CliError(`--hosts ${f.hosts}:\n  ${parsed.errors.join("\n  ")}`);
      if (parsed.hosts.length === 0) throw new CliError(`--hosts ${f.hosts}: no boards`);
      const packages = await loadPackages(f.deb);
      const canary = positive("canary", f.canary, 0);
      const concurrency = positive("concurrency", f.concurrency, 1);
      const maxFailures = positive("max-failures", f.maxFailures, 0);
      const onlineTimeout = positive("online-timeout", f.onlineTimeout, 1);
      const configs = resolve(f.configs);
      for (const h of parsed.hosts) {
        if (!(await stat(join(configs, `${h.boardId}.json`)).catch(() => null)))
          throw new CliError(
            `no config for ${h.boardId}: ${join(configs, `${h.boardId}.json`)} (bbbctl provision ${h.boardId})`,
          );
      }
      const rpc = f.dryRun ? null : await ctx.client();
      const bar = createProgressBar(ctx.io.stderr, ctx.io.stderrTty, "rollout");
      const summary = await rollout(
        {
          run,
          async boardStatus(id) {
            try {
              const v = hostViewSchema.safeParse(await rpc?.call("hosts.get", { id }));
              return v.success ? { state: v.data.state, agentVersion: v.data.heartbeat?.agentVersion ?? null } : null;
            } catch {
              return null;
            }
          },
          configFile: (id) => Promise.resolve(join(configs, `${id}.json`)),
          out: (line) => void ctx.io.stdout.write(`${line}\n`),
          progress: (done, total) => bar.update({ done, total }),
          sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          now: ctx.io.now,
        },
        {
          hosts: parsed.hosts,
          packages,
          canary,
          concurrency,
          maxFailures,
          dryRun: Boolean(f.dryRun),
          sshOptions: [...(f.sshConfig ? ["-F", f.sshConfig] : []), ...f.sshOption.flatMap((o) => ["-o", o])],
          onlineTimeoutMs: onlineTimeout * 1000,
          pollMs: 1000,
        },
      );
      bar.done();
      ctx.io.stdout.write(
        `rollout: ${summary.ok} ok, ${summary.failed} failed, ${summary.skipped} skipped${summary.planned ? `, ${summary.planned} planned (dry run)` : ""} of ${parsed.hosts.length}\n`,
      );
      if (summary.failed > 0 || summary.skipped > 0) ctx.exitCode = EXIT.FAILED;
    });
}
