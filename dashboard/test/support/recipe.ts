import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./processes.js";

/** The shell block of docs/protocol.md between `<!-- recipe:NAME -->` and its closing marker, as written. */
export function docRecipe(name: string, doc = "docs/protocol.md"): string {
  const text = readFileSync(join(REPO, doc), "utf8");
  const m = new RegExp(`<!-- recipe:${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\n<!-- /recipe:${name} -->`).exec(text);
  if (!m?.[1]) throw new Error(`recipe ${name} not found in ${doc}`);
  return m[1];
}

/** Runs a shell recipe with bash -e and the given environment; bounded by timeoutMs. */
export function runRecipe(script: string, env: Record<string, string>, timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn("bash", ["-e", "-c", script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.pid !== undefined && process.kill(p.pid, "SIGKILL"), timeoutMs);
    p.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
