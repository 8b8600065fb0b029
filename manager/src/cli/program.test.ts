import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANAGER_VERSION } from "../version.js";
import type { CliIo } from "./context.js";
import { runCli } from "./program.js";

async function bbbctl(argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    home: null,
    stderrTty: false,
    now: () => 0,
    readFile: () => Promise.reject(new Error("no files here")),
    interrupted: new Promise(() => {}),
  };
  return { code: await runCli(argv, io), stdout, stderr };
}

/** Every command path of the program, from its own help output (`Commands:` sections). */
async function commandPaths(prefix: string[] = []): Promise<string[][]> {
  const r = await bbbctl([...prefix, "--help"]);
  expect(r.code, `${prefix.join(" ")} --help`).toBe(0);
  const section = r.stdout.split("\nCommands:\n")[1]?.split("\n\n")[0] ?? "";
  const names = section
    .split("\n")
    .map((l) => /^ {2}(\S+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined && n !== "help");
  const out: string[][] = [];
  for (const n of names) out.push([...prefix, n], ...(await commandPaths([...prefix, n])));
  return out;
}

const shellAvailable = (sh: string) => spawnSync(sh, ["-c", "exit 0"]).status === 0;

describe("bbbctl conventions", () => {
  it("answers --version and -V with the version, exit 0", async () => {
    for (const flag of ["--version", "-V"])
      expect(await bbbctl([flag])).toEqual({ code: 0, stdout: `${MANAGER_VERSION}\n`, stderr: "" });
  });

  it("has a description and help for every command and every option", async () => {
    const paths = await commandPaths();
    expect(paths.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining(["hosts rm", "nodes list", "nodes get", "nodes rm", "completion"]),
    );
    for (const p of paths) {
      const help = (await bbbctl([...p, "--help"])).stdout;
      const lines = help.split("\n");
      // Usage line, blank, then the description.
      expect(lines[2] ?? "", `${p.join(" ")} has a description`).toMatch(/\S/);
      expect(lines[2] ?? "", `${p.join(" ")} has a description`).not.toMatch(/^(Options|Arguments|Commands):$/);
      const opts = help.split("\nOptions:\n")[1]?.split("\n\n")[0] ?? "";
      for (const l of opts.split("\n").filter((x) => /^ {2}-/.test(x)))
        expect(l.trim(), `${p.join(" ")}: option help`).toMatch(/^\S.*\s{2,}\S/);
    }
  });

  it("refuses an unknown completion shell with exit 2", async () => {
    const r = await bbbctl(["completion", "fish"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown shell fish");
  });
});

describe("bbbctl completion, sourced by the real shells", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbbctl-completion-"));
    await writeFile(join(dir, "bash"), (await bbbctl(["completion", "bash"])).stdout);
    await writeFile(join(dir, "zsh"), (await bbbctl(["completion", "zsh"])).stdout);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** COMPREPLY after sourcing the script and completing `words` (the last one is the word being typed). */
  function complete(shell: "bash" | "zsh", words: string[]): string[] {
    const quoted = words.map((w) => `'${w}'`).join(" ");
    const script =
      shell === "bash"
        ? `source "${dir}/bash"; complete -p bbbctl >/dev/null || exit 9; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _bbbctl; printf '%s\\n' "\${COMPREPLY[@]}"`
        : `source "${dir}/zsh"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _bbbctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync(shell, shell === "bash" ? ["--norc", "--noprofile", "-c", script] : ["-f", "-c", script], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir },
      timeout: 20_000,
    });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split("\n").filter(Boolean).sort();
  }

  for (const shell of ["bash", "zsh"] as const) {
    it.skipIf(!shellAvailable(shell))(`${shell}: commands, subcommands, options and states`, () => {
      expect(complete(shell, ["bbbctl", "ho"])).toEqual(["hosts"]);
      expect(complete(shell, ["bbbctl", "hosts", "r"])).toEqual(["rm"]);
      expect(complete(shell, ["bbbctl", "nodes", ""])).toEqual(["bind", "get", "list", "rm", "set"]);
      expect(complete(shell, ["bbbctl", "reboot", "--inc"])).toEqual(["--include-dead"]);
      expect(complete(shell, ["bbbctl", "reboot", "--state", "lo"])).toEqual(["lost"]);
      // An option's value is not taken for a subcommand: `--host nodes` stays at the top level.
      expect(complete(shell, ["bbbctl", "--host", "nodes", "hos"])).toEqual(["hosts"]);
      expect(complete(shell, ["bbbctl", "users", "--he"])).toEqual(["--help"]);
    });
  }

  it("completes every command the program has", () => {
    const top = complete("bash", ["bbbctl", ""]);
    for (const c of ["hosts", "reboot", "nodes", "completion", "watch", "rollout", "users"]) expect(top).toContain(c);
  });
});
