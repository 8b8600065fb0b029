import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConnection } from "../src/cli/config.js";
import type { CliIo } from "../src/cli/context.js";
import { runCli } from "../src/cli/program.js";
import { createRpcSocketServer, type RpcSocketServer } from "../src/front/socket/rpc-socket-server.js";
import { createEventBus, type EventBus, type StateChangeEvent } from "../src/service/events.js";
import { authenticate, makeMethods, silentLog } from "./front-fixtures.js";

let server: RpcSocketServer;
let events: EventBus;
let port: number;
let dir: string;

async function bbbctl(argv: string[], over: Partial<CliIo> = {}) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { BBB_HOST: "127.0.0.1", BBB_CMD_PORT: String(port), BBB_USER: "operator", BBB_PASSWORD: "op-pw" },
    home: null,
    stderrTty: false,
    now: () => 1_700_000_000_000,
    readFile: async (p) => (await import("node:fs/promises")).readFile(p, "utf8"),
    interrupted: new Promise(() => {}),
    ...over,
  };
  return { code: await runCli(argv, io), stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-cli-"));
  const methods = makeMethods();
  events = createEventBus();
  server = createRpcSocketServer({ methods, authenticate, events, log: silentLog });
  ({ port } = await server.start({ port: 0, bind: "127.0.0.1" }));
});
afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("bbbctl over the socket", () => {
  it("prints help with the commands and exits 0", async () => {
    const r = await bbbctl(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["hosts", "watch", "reboot", "set-ip", "types", "nodes", "sectors", "import", "token", "history"])
      expect(r.stdout).toContain(c);
    expect(r.stdout).toContain("BBB_PASSWORD");
    const bad = await bbbctl(["no-such-command"]);
    expect(bad.code).toBe(2);
  });

  it("streams state changes with watch", async () => {
    const ev = (boardId: string, to: StateChangeEvent["to"]): StateChangeEvent => ({
      kind: "state-change",
      boardId,
      hostname: "LA-RaCtrl--CO-Srv-1",
      sector: "3",
      type: "mbtemp",
      from: "online",
      to,
      problems: [],
      ts: 1_700_000_000_000,
    });
    const running = bbbctl(["watch", "--sector", "3", "--count", "2"]);
    // Emit until the subscription is in place and two events got through.
    const timer = setInterval(() => {
      events.emit(ev("a1", "lost"));
      events.emit({ ...ev("zz", "lost"), sector: "4" });
    }, 50);
    const r = await running;
    clearInterval(timer);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^TIME\s+BOARD\s+HOSTNAME/);
    expect(lines.slice(1)).toHaveLength(2);
    expect(lines[1]).toContain("a1");
    expect(lines[1]).toContain("LA-RaCtrl:CO-Srv-1");
    expect(lines[1]).toContain("online -> lost");
    expect(r.stdout).not.toContain("zz");
  });

  it("reports invalid params with their issue and exit code 2", async () => {
    const r = await bbbctl(["set-hostname", "b0001", "--hostname", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("MGR_E_INVALID_PARAMS");
  });
});

describe("bbbctl configuration", () => {
  it("takes flags over env over the config file", async () => {
    const file = join(dir, "bbbctl.yaml");
    await writeFile(file, "host: file-host\nport: 7000\nuser: file-user\npassword: file-pw\n");
    const fromFile = await resolveConnection({ config: file }, {}, null);
    expect(fromFile).toEqual({ host: "file-host", port: 7000, user: "file-user", password: "file-pw", token: null, tls: null });
    const fromEnv = await resolveConnection(
      { config: file },
      { BBB_HOST: "env-host", BBB_CMD_PORT: "7001", BBB_USER: "env-user" },
      null,
    );
    expect(fromEnv).toMatchObject({ host: "env-host", port: 7001, user: "env-user", password: "file-pw" });
    const fromFlags = await resolveConnection(
      { config: file, host: "flag-host", port: "7002" },
      { BBB_HOST: "env-host" },
      null,
    );
    expect(fromFlags).toMatchObject({ host: "flag-host", port: 7002 });
    expect(await resolveConnection({}, {}, null)).toMatchObject({ host: "127.0.0.1", port: 6789 });
    await expect(resolveConnection({ config: join(dir, "missing.json") }, {}, null)).rejects.toThrow(
      "cannot read config file",
    );
  });
});
