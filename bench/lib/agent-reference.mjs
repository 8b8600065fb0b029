import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The agent design the figures are compared with: main before the one-timer / kept-descriptor /
 * plain-TCP / --no-opt work (BENCHMARKS.md §5). BENCH_AGENT_REF picks another revision.
 */
export const AGENT_REFERENCE_REV = process.env.BENCH_AGENT_REF ?? "6aef8cc";

/**
 * The shipped bundle and the systemd unit of another revision, built into a temp dir from
 * `git archive` with this checkout's node_modules, so that the previous design runs in the same
 * window as the current one.
 */
export function buildReferenceAgent(rev = AGENT_REFERENCE_REV) {
  const dir = mkdtempSync(join(tmpdir(), "bench-agent-ref-"));
  try {
    const tar = execFileSync("git", ["-C", ROOT, "archive", rev, "agent/src", "agent/scripts", "agent/package.json", "agent/packaging", "shared/src", "shared/package.json"]);
    execFileSync("tar", ["-x", "-C", dir], { input: tar });
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
    execFileSync(process.execPath, [join(dir, "agent", "scripts", "bundle.mjs")], { cwd: join(dir, "agent"), stdio: ["ignore", "ignore", "inherit"] });
    const bundle = join(dir, "agent", "dist-bundle", "bbb-agent.cjs");
    if (!existsSync(bundle)) throw new Error(`reference bundle of ${rev} not built`);
    return { rev, bundle, unit: join(dir, "agent", "packaging", "bbb-agent.service.in"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
