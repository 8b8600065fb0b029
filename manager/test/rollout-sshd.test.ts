import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeRoot, type FakeRoot } from "@bbb/agent/sim";
import { deriveBoardToken } from "@bbb/broker";
import { adminEnv, bbbctl } from "./cli-runner.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { FLEET_SECRET, freePort, startTestServer, type TestServer } from "./helpers.js";
// The package build is shared with the agent's package tests (one build per run).
import { ensureDebs } from "../../agent/test/helpers/debs.js";

// `bbbctl rollout` against real OpenSSH: two sshd (Debian's openssh-server) started here on
// loopback ports with their own host keys and authorized_keys, reached by the operator's `ssh`
// and `scp` through an ssh config, as root. sshd runs in a private mount namespace with its
// own /run (its privilege-separation folder), so this machine's /run is untouched. Each
// board's session has a PATH whose `dpkg` and `install` write into that board's staging root
// (dpkg --root, chrootless: the package's maintainer scripts run, systemd is left alone), and
// whose `dpkg` then starts the installed agent as the board's systemd would. The agent comes
// online at the real server, which is what rollout waits for.
const root = process.getuid?.() === 0;
const sshd = existsSync("/usr/sbin/sshd") && spawnSync("unshare", ["--version"]).status === 0;
const skip = !root ? "(needs root: sshd)" : !sshd ? "(needs openssh-server and unshare)" : "";

interface Board {
  alias: string;
  port: number;
  stage: string;
  fake: FakeRoot;
  sshd: ChildProcess;
}

describe.skipIf(skip !== "")(`bbbctl rollout over OpenSSH ${skip}`, () => {
  let server: TestServer;
  let mqttUrl: string;
  let dir: string;
  let env: Record<string, string>;
  let deb: string;
  const boards: Board[] = [];
  const agentPids: number[] = [];

  async function startBoard(alias: string, index: number): Promise<Board> {
    const port = await freePort();
    const d = join(dir, alias);
    const stage = join(d, "stage");
    const bin = join(d, "bin");
    mkdirSync(join(stage, "var/lib/dpkg/info"), { recursive: true });
    mkdirSync(join(stage, "var/lib/dpkg/updates"));
    writeFileSync(join(stage, "var/lib/dpkg/status"), "");
    mkdirSync(bin);
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(d, "host_key")]);
    const fake = await createFakeRoot({ index });
    // dpkg: the real one into the staging root; then the installed agent, started as systemd would.
    writeFileSync(
      join(bin, "dpkg"),
      `#!/bin/sh
case "$1" in --print-architecture) exec /usr/bin/dpkg "$@" ;; esac
/usr/bin/dpkg --root="${stage}" --admindir="${stage}/var/lib/dpkg" --force-script-chrootless --force-depends "$@" || exit $?
BBB_AGENT_CONFIG="${stage}/etc/bbb-agent/config.json" nohup "${stage}/opt/bbb-agent/node" "${stage}/opt/bbb-agent/bbb-agent.cjs" >"${d}/agent.log" 2>&1 &
echo $! > "${d}/agent.pid"
`,
    );
    // install: absolute destinations land in the staging root.
    writeFileSync(
      join(bin, "install"),
      `#!/bin/sh
n=$#; i=0
for a in "$@"; do i=$((i+1)); if [ $i -eq $n ]; then case "$a" in /*) a="${stage}$a" ;; esac; fi; set -- "$@" "$a"; done
shift $n
exec /usr/bin/install "$@"
`,
    );
    chmodSync(join(bin, "dpkg"), 0o755);
    chmodSync(join(bin, "install"), 0o755);
    writeFileSync(
      join(d, "sshd_config"),
      [
        `Port ${port}`,
        "ListenAddress 127.0.0.1",
        `HostKey ${join(d, "host_key")}`,
        `PidFile ${join(d, "sshd.pid")}`,
        `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitRootLogin prohibit-password",
        "StrictModes no",
        "UsePAM no",
        "Subsystem sftp internal-sftp",
        `SetEnv PATH=${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
      ].join("\n") + "\n",
    );
    const proc = spawn(
      "unshare",
      ["-m", "--propagation", "private", "sh", "-c", 'mount -t tmpfs tmpfs /run && mkdir -m 0755 /run/sshd && exec /usr/sbin/sshd -D -e -f "$1"', "sh", join(d, "sshd_config")],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let log = "";
    proc.stderr.on("data", (b: Buffer) => (log += b.toString()));
    const end = Date.now() + 15_000;
    while (!log.includes("Server listening")) {
      if (Date.now() > end || proc.exitCode !== null) throw new Error(`sshd did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const hostKey = readFileSync(join(d, "host_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
    writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`, { flag: "a" });
    writeFileSync(
      join(dir, "ssh_config"),
      `Host ${alias}\n  HostName 127.0.0.1\n  Port ${port}\n  User root\n  IdentityFile ${join(dir, "id")}\n  IdentitiesOnly yes\n` +
        `  UserKnownHostsFile ${join(dir, "known_hosts")}\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n`,
      { flag: "a" },
    );
    // The board's provisioned config (bbbctl provision), pointed at its fake root.
    writeFileSync(
      join(dir, "configs", `${fake.boardId}.json`),
      JSON.stringify({
        boardId: fake.boardId,
        mqttUrls: [mqttUrl],
        token: deriveBoardToken(FLEET_SECRET, fake.boardId),
        rootPrefix: fake.root,
        stateDir: fake.stateDir,
        heartbeatMs: 500,
        logLevel: "warn",
      }),
    );
    const b = { alias, port, stage, fake, sshd: proc };
    boards.push(b);
    return b;
  }

  beforeAll(async () => {
    deb = (await ensureDebs()).amd64;
    dir = mkdtempSync(join(tmpdir(), "bbb-rollout-"));
    server = await startTestServer({}, { dataDir: join(dir, "data"), extensions: [createFrontExtension({ rest: false })] });
    mqttUrl = server.mqttUrl;
    env = adminEnv(server.started.ports.cmd);
    mkdirSync(join(dir, "configs"));
    spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "id")]);
    writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "id.pub")));
    writeFileSync(join(dir, "ssh_config"), "");
    await startBoard("board-a", 501);
    await startBoard("board-b", 502);
    // A board nobody answers for: its port is closed.
    writeFileSync(join(dir, "ssh_config"), `Host board-dead\n  HostName 127.0.0.1\n  Port ${await freePort()}\n  User root\n  BatchMode yes\n`, { flag: "a" });
  }, 900_000);

  afterAll(async () => {
    for (const b of boards) {
      const pidFile = join(dir, b.alias, "agent.pid");
      if (existsSync(pidFile)) agentPids.push(Number(readFileSync(pidFile, "utf8")));
      b.sshd.kill("SIGTERM");
      await b.fake.cleanup();
    }
    for (const pid of agentPids) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const hostsFile = (lines: string[]) => {
    const f = join(dir, `hosts-${lines.length}-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(f, `# rollout test\n${lines.join("\n")}\n`);
    return f;
  };
  const common = () => ["--deb", deb, "--configs", join(dir, "configs"), "--ssh-config", join(dir, "ssh_config")];

  it("--dry-run probes each board over ssh and changes nothing", { timeout: 60_000 }, async () => {
    const [a, b] = boards;
    const r = await bbbctl(["rollout", "--dry-run", "--hosts", hostsFile([`${a!.alias} ${a!.fake.boardId}`, `${b!.alias} ${b!.fake.boardId}`]), ...common()], env);
    expect(r.stderr).toBe("rollout: 2/2\n");
    expect(r.stdout).toMatch(new RegExp(`^plan ${a!.fake.boardId} board-a: amd64, glibc \\d+\\.\\d+ -> bbb-agent_[0-9.]+_amd64\\.deb`, "m"));
    expect(r.stdout).toContain("rollout: 0 ok, 0 failed, 0 skipped, 2 planned (dry run) of 2");
    expect(r.code).toBe(0);
    expect(existsSync(join(a!.stage, "opt/bbb-agent"))).toBe(false);
  });

  it("a failed canary stops the rollout before the other boards", { timeout: 60_000 }, async () => {
    const a = boards[0]!;
    writeFileSync(join(dir, "configs", "a0f6fd0fffff.json"), "{}");
    const r = await bbbctl(["rollout", "--canary", "1", "--hosts", hostsFile(["board-dead a0f6fd0fffff", `${a.alias} ${a.fake.boardId}`]), ...common()], env);
    expect(r.stderr).toBe("rollout: 1/2\n");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL a0f6fd0fffff board-dead: probe: /m);
    expect(r.stdout).toContain("canary failed: 1 board(s) not started");
    expect(r.stdout).toContain("rollout: 0 ok, 1 failed, 1 skipped of 2");
    expect(existsSync(join(a.stage, "opt/bbb-agent"))).toBe(false);
  });

  it("installs on every board and waits until each is online with the new agent version", { timeout: 300_000 }, async () => {
    const [a, b] = boards;
    const r = await bbbctl(
      ["rollout", "--canary", "1", "--concurrency", "2", "--online-timeout", "120", "--hosts", hostsFile([`${a!.alias} ${a!.fake.boardId}`, `${b!.alias} ${b!.fake.boardId}`]), ...common()],
      env,
      { tty: true },
    );
    expect(r.stdout).toContain("rollout: 2 ok, 0 failed, 0 skipped of 2");
    expect(r.code).toBe(0);
    for (const x of [a!, b!]) {
      expect(r.stdout).toMatch(new RegExp(`^ok   ${x.fake.boardId} ${x.alias}: bbb-agent_[0-9.]+_amd64\\.deb, (online|unregistered) with agent [0-9.]+`, "m"));
      expect(existsSync(join(x.stage, "opt/bbb-agent/node"))).toBe(true);
      const cfg = JSON.parse(readFileSync(join(x.stage, "etc/bbb-agent/config.json"), "utf8")) as { boardId: string };
      expect(cfg.boardId).toBe(x.fake.boardId);
    }
    // The progress bar on a terminal: redrawn in place, ending at 2/2.
    expect(r.stderr).toContain("\rrollout [##############################] 2/2");
  });
});
