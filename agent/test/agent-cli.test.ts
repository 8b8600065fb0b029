import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { AGENT_VERSION } from "../src/version.js";

// `bbb-agent` as operators run it (docs/deployment.md "The agent as a program"): the real
// program (agent/dist/main.js), systemctl replaced by a recorder on PATH.
const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(here, "../dist/main.js");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), "bbb-cli-"));
  dirs.push(d);
  return d;
};
function agent(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env }, timeout: 20_000 });
}

describe.skipIf(!existsSync(MAIN))("bbb-agent command line (needs `npx tsc -b agent`)", () => {
  it("--help and --version answer without a config and without connecting", () => {
    const h = agent(["--help"], { BBB_AGENT_CONFIG: "/nonexistent/config.json" });
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: bbb-agent/);
    expect(h.stdout).toContain("migrate --rollback");
    const v = agent(["--version"]);
    expect(v.status).toBe(0);
    expect(v.stdout).toBe(`bbb-agent ${AGENT_VERSION} (Node.js ${process.version}, ${process.arch})\n`);
  });

  it("no config file: exit 2 naming the file, for the run and for --check-config", () => {
    const missing = path.join(tmp(), "config.json");
    for (const args of [[], ["--check-config"]]) {
      const r = agent(args, { BBB_AGENT_CONFIG: missing });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`bbb-agent: config file ${missing} not found (create it or set BBB_AGENT_CONFIG; bbb-agent --help)\n`);
      expect(r.stdout).toBe("");
    }
    const bad = agent(["--frobnicate"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown command or option --frobnicate");
  });

  it("--check-config prints the board id, brokers and backend; an invalid config exits 2", () => {
    const dir = tmp();
    const cfg = path.join(dir, "config.json");
    writeFileSync(cfg, JSON.stringify({ boardId: "a0f6fd000001", mqttUrls: ["mqtts://mgr.example:8883"], token: "x", netBackend: "connman" }));
    const r = agent(["--check-config"], { BBB_AGENT_CONFIG: cfg });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("board id: a0f6fd000001");
    expect(r.stdout).toContain("brokers: mqtts://mgr.example:8883");
    expect(r.stdout).toContain("network backend: connman on eth0");
    writeFileSync(cfg, JSON.stringify({ mqttUrls: ["ftp://x"] }));
    const bad = agent(["--check-config"], { BBB_AGENT_CONFIG: cfg });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^bbb-agent: invalid agent config: .*mqttUrls/);
  });

  it("migrate --root on a bbbread board, then --rollback: systemctl argv recorded, bbb-function untouched", () => {
    const root = tmp();
    cpSync(path.join(here, "fixtures", "old-bbbread"), root, { recursive: true, verbatimSymlinks: true });
    const bin = path.join(tmp(), "bin");
    mkdirSync(bin);
    const log = path.join(bin, "systemctl.log");
    writeFileSync(path.join(bin, "systemctl"), `#!/bin/sh\necho "$*" >> "${log}"\n`);
    chmodSync(path.join(bin, "systemctl"), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH ?? ""}` };
    const m = agent(["migrate", "--root", root], env);
    expect(m.stderr).toBe("");
    expect(m.status).toBe(0);
    expect(m.stdout).toContain("hostname LA-RaCtrl--CO-Srv-1 (LA-RaCtrl:CO-Srv-1)");
    expect(m.stdout).toContain("project folder rc.local uses: /root/rs485-project");
    const r = agent(["migrate", "--rollback", "--root", root], env);
    expect(r.status).toBe(0);
    expect(readFileSync(log, "utf8").trim().split("\n")).toEqual([
      `--root=${root} disable bbbread.service`,
      `--root=${root} enable bbbread.service`,
      `--root=${root} disable bbb-agent.service`,
    ]);
  });
});
