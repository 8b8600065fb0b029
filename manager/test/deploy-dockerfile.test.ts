import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The server image's build file (docs/deployment.md §"On the server"): hadolint is neither in Debian 12 nor
// on npm, and no engine runs here to build it, so this test parses docker/Dockerfile and checks
// what the issue asks of the image: multi-stage, pinned base, non-root, a health check, small.
const repo = resolve(import.meta.dirname, "..", "..");
const dockerfile = readFileSync(join(repo, "docker", "Dockerfile"), "utf8");

interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Instructions with continuation lines joined and comments / parser directives dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let buf = "";
  let start = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trimEnd();
    if (buf === "" && /^\s*#/.test(line)) return;
    if (buf === "" && line.trim() === "") return;
    if (buf === "") start = i + 1;
    if (/^\s*#/.test(line)) return; // a comment inside a continued instruction
    if (line.endsWith("\\")) {
      buf += `${line.slice(0, -1)} `;
      return;
    }
    buf += line;
    const m = /^\s*([A-Za-z]+)\s+([\s\S]*)$/.exec(buf);
    if (!m) throw new Error(`line ${start}: cannot parse "${buf}"`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buf = "";
  });
  if (buf !== "") throw new Error("Dockerfile ends inside a continued line");
  return out;
}

const KNOWN = new Set(
  "FROM RUN CMD LABEL EXPOSE ENV ADD COPY ENTRYPOINT VOLUME USER WORKDIR ARG ONBUILD STOPSIGNAL HEALTHCHECK SHELL".split(" "),
);
const all = parseDockerfile(dockerfile);
const stages: Instruction[][] = [];
for (const ins of all) {
  if (ins.op === "FROM") stages.push([]);
  stages.at(-1)?.push(ins);
}
const final = stages.at(-1) ?? [];
const ops = (stage: Instruction[], op: string) => stage.filter((i) => i.op === op);

describe("docker/Dockerfile", () => {
  it("has only known instructions", () => {
    for (const i of all) expect(KNOWN.has(i.op), `line ${i.line}: ${i.op}`).toBe(true);
  });

  it("is multi-stage: a named build stage, then a runtime stage that copies from it", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]?.[0]?.args).toMatch(/\bAS build$/i);
    const fromBuild = ops(final, "COPY").filter((c) => c.args.includes("--from=build"));
    expect(fromBuild.length).toBeGreaterThan(0);
    // The runtime stage never takes the whole context (sources, tests) nor installs compilers.
    expect(ops(final, "COPY").some((c) => /(^|\s)\.\s+\.$/.test(c.args))).toBe(false);
    expect(ops(final, "RUN").some((r) => /\bapt-get\b|\bnpm (ci|install)\b/.test(r.args))).toBe(false);
  });

  it("pins the base image to an exact Node 20 bookworm-slim release (never latest)", () => {
    const arg = all.find((i) => i.op === "ARG" && i.args.startsWith("NODE_IMAGE="));
    expect(arg?.args).toMatch(/^NODE_IMAGE=node:20\.\d+\.\d+-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    for (const s of stages) expect(s[0]?.args).toMatch(/^\$\{NODE_IMAGE\}( AS \w+)?$/);
    expect(dockerfile).not.toMatch(/:latest\b/);
  });

  it("builds native modules from source with Debian's tools, without piping downloads into a shell", () => {
    const build = stages[0] ?? [];
    const apt = ops(build, "RUN").find((r) => r.args.includes("apt-get install"));
    expect(apt?.args).toContain("--no-install-recommends");
    expect(apt?.args).toMatch(/\bg\+\+/);
    expect(apt?.args).toContain("rm -rf /var/lib/apt/lists/*");
    expect(ops(build, "ENV").map((e) => e.args).join(" ")).toContain("npm_config_build_from_source=true");
    expect(ops(build, "RUN").some((r) => /\bnpm ci\b/.test(r.args))).toBe(true);
    expect(ops(build, "RUN").some((r) => /npm prune --omit=dev/.test(r.args))).toBe(true);
    expect(dockerfile).not.toMatch(/\b(curl|wget)\b[^\n]*\|\s*(ba|da)?sh\b/);
    expect(all.some((i) => i.op === "ADD" && /https?:\/\//.test(i.args))).toBe(false);
  });

  it("runs as a non-root user with a node health check on /healthz and the contract's ports", () => {
    const user = ops(final, "USER").at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const hc = ops(final, "HEALTHCHECK");
    expect(hc).toHaveLength(1);
    expect(hc[0]?.args).toMatch(/CMD \["node", "\/app\/docker\/healthcheck\.mjs"\]/);
    expect(readFileSync(join(repo, "docker", "healthcheck.mjs"), "utf8")).toContain('path: "/healthz"');
    const exposed = ops(final, "EXPOSE").flatMap((e) => e.args.split(/\s+/)).map(Number).sort((a, b) => a - b);
    expect(exposed).toEqual([1026, 1883, 4850, 6789, 8883]);
    // The image runs the server with the same node flags as `npm start`.
    const start = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { scripts: { start: string } }).scripts.start;
    const flags = start.split(" ").filter((w) => w.startsWith("--"));
    expect(flags.length).toBeGreaterThan(0);
    expect(ops(final, "ENTRYPOINT")[0]?.args).toBe(JSON.stringify(["node", ...flags, "/app/docker/entrypoint.mjs"]).replaceAll(",", ", "));
    expect(ops(final, "ENV").map((e) => e.args).join(" ")).toMatch(/BBB_ROLE=all-in-one/);
  });

  it("copies only paths that the build produces or the repository has", () => {
    for (const c of ops(final, "COPY")) {
      const parts = c.args.split(/\s+/).filter((p) => !p.startsWith("--"));
      const sources = parts.slice(0, -1);
      for (const src of sources) {
        if (c.args.includes("--from=build")) {
          const rel = src.replace(/^\/src\//, "");
          // dist/ folders and node_modules are made in the build stage; the rest is in the repo.
          if (!/(^|\/)(dist|node_modules)$/.test(rel)) expect(existsSync(join(repo, rel)), rel).toBe(true);
        } else {
          expect(existsSync(join(repo, src)), src).toBe(true);
        }
      }
    }
  });

  it("keeps the build context small with docker/Dockerfile.dockerignore", () => {
    const ignore = readFileSync(join(repo, "docker", "Dockerfile.dockerignore"), "utf8").split("\n");
    for (const p of ["**/node_modules", "**/dist", ".git", "data"]) expect(ignore).toContain(p);
  });
});
