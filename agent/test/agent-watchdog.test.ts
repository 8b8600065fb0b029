import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeRoot, type FakeRoot } from "../src/sim/fake-root.js";
import { startBroker } from "./helpers/broker.js";

// systemd's notify protocol as the agent speaks it under bbb-agent.service (Type=notify,
// WatchdogSec=; docs/deployment.md "A frozen agent restarts itself"). The test owns the
// NOTIFY_SOCKET: a datagram socket read by a small Python receiver that, like PID 1, closes
// the file descriptor systemd-notify passes for its barrier. The agent is the real program.
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/main.js");
const RECEIVER = `
import socket, sys, os, array
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i"); fds.frombytes(data[: len(data) - (len(data) % 4)])
            for fd in fds: os.close(fd)
    print(msg.decode().replace("\\n", " "), flush=True)
`;

describe.skipIf(!existsSync(MAIN))("agent under systemd's watchdog (needs `npx tsc -b agent`)", () => {
  let broker: Awaited<ReturnType<typeof startBroker>>;
  let fake: FakeRoot;
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    broker = await startBroker();
    fake = await createFakeRoot({ index: 43 });
    dir = mkdtempSync(path.join(tmpdir(), "bbb-notify-"));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await broker?.close();
    await fake?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("READY=1 once started, WATCHDOG=1 from the event loop (none while it is stopped), STOPPING=1 on SIGTERM", { timeout: 60_000 }, async () => {
    const sock = path.join(dir, "notify.sock");
    const messages: string[] = [];
    const receiver = spawn("python3", ["-c", RECEIVER, sock], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(receiver);
    let buf = "";
    receiver.stdout.on("data", (b: Buffer) => {
      buf += b.toString();
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      messages.push(...lines);
    });
    const until = async (what: string, ok: () => boolean, ms = 20_000) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`${what}; got ${JSON.stringify(messages.slice(-20))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until("receiver listening", () => messages.includes("listening"));

    const cfg = path.join(dir, "config.json");
    writeFileSync(cfg, JSON.stringify({ services: [] }));
    const agent = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? "",
        BBB_AGENT_CONFIG: cfg,
        BBB_MQTT_URL: broker.url,
        BBB_ROOT_PREFIX: fake.root,
        BBB_STATE_DIR: fake.stateDir,
        BBB_LOG_LEVEL: "warn",
        NOTIFY_SOCKET: sock,
        // systemd's WatchdogSec=0.9s: a ping every 300 ms.
        WATCHDOG_USEC: "900000",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    children.push(agent);
    const exited = new Promise<number | null>((r) => agent.on("exit", (code) => r(code)));
    const pings = () => messages.filter((m) => m.includes("WATCHDOG=1")).length;
    await until("READY=1", () => messages.some((m) => m.includes("READY=1")));
    // Each message names the agent as the main PID, so systemd maps it to the unit.
    expect(messages.find((m) => m.includes("READY=1"))).toContain(`MAINPID=${agent.pid}`);
    await until("3 watchdog pings", () => pings() >= 3);

    // A stalled event loop (here: the whole process stopped) sends nothing: systemd would
    // hit WatchdogSec= and restart the agent.
    agent.kill("SIGSTOP");
    await new Promise((r) => setTimeout(r, 1000)); // pings already handed to systemd-notify land
    const frozen = pings();
    await new Promise((r) => setTimeout(r, 2000));
    expect(pings()).toBe(frozen);
    agent.kill("SIGCONT");
    await until("pings again after SIGCONT", () => pings() >= frozen + 2);

    agent.kill("SIGTERM");
    await until("STOPPING=1", () => messages.some((m) => m.includes("STOPPING=1")));
    expect(await exited).toBe(0);
  });
});
