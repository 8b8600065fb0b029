import { describe, expect, it } from "vitest";
import { parseHostsFile } from "./hosts-file.js";
import { choosePackage, parsePackageFields } from "./packages.js";
import { rollout, type RolloutDeps, type RunResult } from "./rollout.js";

const fields = (version: string, arch: string, libc: string) =>
  `Package: bbb-agent\nVersion: ${version}\nArchitecture: ${arch}\nDepends: libc6 (>= ${libc}), libstdc++6, libatomic1\n`;
const node18 = parsePackageFields("/d/bbb-agent_0.2.0_armhf.deb", fields("0.2.0", "armhf", "2.28"));
const node16 = parsePackageFields("/d/bbb-agent_0.2.0~deb9_armhf.deb", fields("0.2.0~deb9", "armhf", "2.24"));
const amd64 = parsePackageFields("/d/bbb-agent_0.2.0_amd64.deb", fields("0.2.0", "amd64", "2.28"));

describe("hosts file", () => {
  it("reads targets and board ids, reports every bad line", () => {
    const r = parseHostsFile(
      "# boards\nroot@10.0.0.5 a0f6fd000001\nbbb-02 a0f6fd000002 # comment\n\n-oProxyCommand=x a0f6fd000003\nroot@h Not_An/Id\nonly-target\nbbb-03 a0f6fd000001\n",
    );
    expect(r.hosts).toEqual([
      { target: "root@10.0.0.5", boardId: "a0f6fd000001", line: 2 },
      { target: "bbb-02", boardId: "a0f6fd000002", line: 3 },
    ]);
    expect(r.errors).toEqual([
      "line 5: not an ssh target: -oProxyCommand=x",
      "line 6: not a board id: Not_An/Id",
      'line 7: expected "<ssh target> <board id>"',
      "line 8: board a0f6fd000001 listed twice",
    ]);
  });
});

describe("package choice", () => {
  it("takes the newest runtime the board's glibc runs, on its architecture", () => {
    const all = [node16, node18, amd64];
    expect(node16.agentVersion).toBe("0.2.0");
    expect(choosePackage(all, "armhf", "2.24")).toBe(node16); // Debian 9
    expect(choosePackage(all, "armhf", "2.28")).toBe(node18); // Debian 10
    expect(choosePackage(all, "armhf", "2.36")).toBe(node18); // Debian 12
    expect(choosePackage(all, "amd64", "2.36")).toBe(amd64);
    expect(choosePackage(all, "armhf", "2.19")).toBeNull();
    expect(choosePackage(all, "arm64", "2.36")).toBeNull();
  });
  it("refuses a package that is not the agent", () => {
    expect(() => parsePackageFields("/x.deb", "Package: other\nVersion: 1\n")).toThrow(/not a bbb-agent package/);
  });
});

describe("rollout flow (recorded ssh)", () => {
  function world(failOn: (target: string) => boolean) {
    const calls: string[] = [];
    const lines: string[] = [];
    let t = 0;
    const deps: RolloutDeps = {
      async run(file, args): Promise<RunResult> {
        const target = args.find((a) => /^bbb-\d/.test(a)) ?? args.find((a) => /^bbb-\d.*:/.test(a)) ?? "";
        calls.push(`${file} ${target.split(":")[0]}`);
        if (failOn(target)) return { code: 255, stdout: "", stderr: "ssh: connect to host: Connection refused" };
        const command = args.at(-1) ?? "";
        if (command.startsWith("dpkg --print-architecture"))
          return { code: 0, stdout: "armhf\n2.24-11+deb9u4\n", stderr: "" };
        if (command.startsWith("mktemp")) return { code: 0, stdout: "/tmp/bbb-rollout.AbC123xy\n", stderr: "" };
        return { code: 0, stdout: "", stderr: "" };
      },
      boardStatus: async () => ({ state: "online", agentVersion: "0.2.0" }),
      configFile: async (id) => `/configs/${id}.json`,
      out: (l) => lines.push(l),
      progress: () => undefined,
      sleep: async () => undefined,
      now: () => (t += 100),
    };
    return { deps, calls, lines };
  }
  const hosts = ["bbb-1", "bbb-2", "bbb-3", "bbb-4"].map((target, i) => ({
    target,
    boardId: `a0f6fd00000${i + 1}`,
    line: i + 1,
  }));
  const opts = {
    hosts,
    packages: [node16, node18],
    canary: 1,
    concurrency: 2,
    maxFailures: 0,
    dryRun: false,
    sshOptions: [],
    onlineTimeoutMs: 1000,
    pollMs: 10,
  };

  it("installs the Debian 9 package on a glibc 2.24 board, one line per board", async () => {
    const w = world(() => false);
    const s = await rollout(w.deps, opts);
    expect(s).toMatchObject({ ok: 4, failed: 0, skipped: 0 });
    expect(w.lines.filter((l) => l.startsWith("ok   ")).length).toBe(4);
    expect(w.lines[0]).toMatch(
      /^ok {3}a0f6fd000001 bbb-1: bbb-agent_0\.2\.0~deb9_armhf\.deb, online with agent 0\.2\.0/,
    );
  });

  it("stops starting boards once failures pass --max-failures", async () => {
    const w = world((t) => t.startsWith("bbb-2") || t.startsWith("bbb-3"));
    const s = await rollout(w.deps, { ...opts, concurrency: 1 });
    expect(s).toMatchObject({ ok: 1, failed: 1, skipped: 2 });
    expect(w.lines.at(-1)).toBe("stopped: 1 failure(s), more than --max-failures 0");
  });
});
