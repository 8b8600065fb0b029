import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Aedes } from "aedes";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTopics, decodePayload, heartbeatSchema, resultSchema, statusSchema } from "@bbb/shared";
import { buildBundle } from "./bundle-harness.js";

// The installed unit under a real systemd (least privilege the actions allow): a Debian
// 12 root file system booted with systemd-nspawn on a throw-away overlay (nothing of it or of
// this machine changes), the agent installed by `make install DESTDIR=…` and enabled with
// `systemctl --root`, then driven over MQTT: set-hostname and restart-service must work inside
// the unit's sandbox, and a reboot stops the agent cleanly (retained `offline`).
// Needs root, systemd-nspawn (Debian systemd-container), unshare, overlayfs and the root file
// system from `make nspawn-root` in agent/ (debootstrap, ~370 MB) or BBB_NSPAWN_ROOT; else
// SKIPPED with the reason.
const agentDir = resolve(import.meta.dirname, "..");
const topics = createTopics("bbb");
const BOARD = "a0f6fd00abcd";
const TOKEN = "nspawn-test-token-0123456789";

function why(): { rootfs: string; reason: string } {
  const rootfs = process.env.BBB_NSPAWN_ROOT ?? join(process.env.TMPDIR ?? tmpdir(), "bbb-nspawn-root");
  if (process.getuid?.() !== 0) return { rootfs, reason: "(needs root)" };
  for (const tool of ["systemd-nspawn", "unshare", "systemctl"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return { rootfs, reason: `(${tool} not installed)` };
  }
  if (!readFileSync("/proc/filesystems", "utf8").includes("overlay")) return { rootfs, reason: "(no overlayfs)" };
  if (!existsSync(join(rootfs, "usr/bin/node")) || !existsSync(join(rootfs, "lib/systemd/systemd"))) {
    return { rootfs, reason: `(no root file system with systemd and node at ${rootfs}: \`make nspawn-root\` in agent/)` };
  }
  return { rootfs, reason: "" };
}
const env = why();

// Runs in a private mount namespace (unshare -m): the tmpfs on /run/systemd (nspawn's scratch
// space, which it expects from a host systemd) and the overlay vanish with it.
const BOOT = `set -eu
R=$1 T=$2 A=$3 B=$4 C=$5 D=$6 M=$7
mkdir -p "$T/upper" "$T/work" "$T/merged"
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/systemd/nspawn /run/systemd/inaccessible
(cd /run/systemd/inaccessible && touch reg && mkdir dir && mkfifo fifo && mknod chr c 0 0 && mknod blk b 0 0 && chmod 0000 reg dir fifo chr blk)
mount -t overlay overlay -o "lowerdir=$R,upperdir=$T/upper,workdir=$T/work" "$T/merged"
BUNDLE=$B make -s -C "$A" install DESTDIR="$T/merged" NODE=/usr/bin/node CONFIG="$C" SYSTEMD_VERSION=252
cp "$D" "$T/merged/etc/systemd/system/bbb-dummy.service"
systemctl --root="$T/merged" --quiet enable bbb-agent.service bbb-dummy.service
mkdir -p "$T/merged/var/log/journal"
exec systemd-nspawn -q -D "$T/merged" -b -M "$M" --register=no --keep-unit --console=pipe
`;

describe.skipIf(env.reason !== "")(`bbb-agent.service under systemd (nspawn) ${env.reason}`, () => {
  let work = "";
  let bundleDir = "";
  let aedes: Awaited<ReturnType<typeof Aedes.createBroker>>;
  let server: net.Server;
  let observer: mqtt.MqttClient;
  let container: ChildProcess;
  let containerExit: Promise<number | null>;
  let output = "";
  const messages: { topic: string; payload: Buffer; retain: boolean }[] = [];

  async function waitFor<T>(pick: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = pick();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timeout waiting for ${what}; container output: ${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const lastResult = (id: string) =>
    messages
      .filter((m) => m.topic === topics.result(BOARD, id))
      .map((m) => decodePayload(resultSchema, m.payload, 1 << 20))
      .flatMap((d) => (d.ok ? [d.value] : []))
      .at(-1);
  const heartbeats = () =>
    messages
      .filter((m) => m.topic === topics.heartbeat(BOARD))
      .map((m) => decodePayload(heartbeatSchema, m.payload, 1024))
      .flatMap((d) => (d.ok ? [d.value] : []));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "bbb-nspawn-"));
    const built = buildBundle();
    bundleDir = built.dir;
    aedes = await Aedes.createBroker();
    aedes.authenticate = (client, username, password, done) => {
      done(null, username === client.id && password?.toString() === TOKEN);
    };
    server = net.createServer({ noDelay: true }, aedes.handle);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    observer = await mqtt.connectAsync(url, { clientId: "nspawn-observer", username: "nspawn-observer", password: TOKEN, reconnectPeriod: 0 });
    observer.on("message", (topic, payload, packet) => messages.push({ topic, payload, retain: packet.retain }));
    await observer.subscribeAsync(`${topics.root}/${BOARD}/#`, { qos: 1 });

    // The container shares this machine's network, so the agent reaches the broker on loopback.
    writeFileSync(join(work, "config.json"), JSON.stringify({ boardId: BOARD, mqttUrls: [url], token: TOKEN, services: ["bbb-dummy"] }));
    writeFileSync(join(work, "dummy.service"), "[Unit]\nDescription=stand-in for an IOC service\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n");
    writeFileSync(join(work, "boot.sh"), BOOT);
    const args = [env.rootfs, join(work, "fs"), agentDir, built.file, join(work, "config.json"), join(work, "dummy.service"), `bbbtest${process.pid}`];
    container = spawn("unshare", ["-m", "--propagation", "private", "sh", join(work, "boot.sh"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
    container.stdout?.on("data", (b: Buffer) => (output += b.toString()));
    container.stderr?.on("data", (b: Buffer) => (output += b.toString()));
    containerExit = new Promise((r) => container.on("exit", (code) => r(code)));
  }, 60_000);

  afterAll(async () => {
    if (container && container.exitCode === null) {
      container.kill("SIGTERM");
      await Promise.race([containerExit, new Promise((r) => setTimeout(r, 10_000))]);
      if (container.exitCode === null) container.kill("SIGKILL");
    }
    await observer?.endAsync(true);
    if (server) await new Promise<void>((r) => server.close(() => r()));
    if (aedes) await new Promise<void>((r) => aedes.close(() => r()));
    if (work) rmSync(work, { recursive: true, force: true });
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  it("starts at boot and heartbeats", async () => {
    const hb = await waitFor(() => heartbeats()[0], 60_000, "the first heartbeat");
    expect(hb.id).toBe(BOARD);
    expect(hb.agentVersion).toBeDefined();
  }, 70_000);

  it("set-hostname works inside the sandbox (CAP_SYS_ADMIN, sethostname, /etc writable)", async () => {
    await observer.publishAsync(topics.cmd(BOARD, "set-hostname"), JSON.stringify({ id: "ns-host", args: { hostname: "bbb-nspawn-test" } }), { qos: 1 });
    const r = await waitFor(() => {
      const x = lastResult("ns-host");
      return x && ["succeeded", "failed", "rejected"].includes(x.status) ? x : undefined;
    }, 30_000, "the set-hostname result");
    expect(r.status, JSON.stringify(r)).toBe("succeeded");
    expect(readFileSync(join(work, "fs", "upper", "etc", "hostname"), "utf8")).toBe("bbb-nspawn-test\n");
    await waitFor(() => heartbeats().find((h) => h.hostname === "bbb-nspawn-test"), 10_000, "a heartbeat with the new hostname");
  }, 40_000);

  it("restart-service works inside the sandbox (systemctl from the unit)", async () => {
    await observer.publishAsync(topics.cmd(BOARD, "restart-service"), JSON.stringify({ id: "ns-svc", args: { name: "bbb-dummy" } }), { qos: 1 });
    const r = await waitFor(() => {
      const x = lastResult("ns-svc");
      return x && ["succeeded", "failed", "rejected"].includes(x.status) ? x : undefined;
    }, 30_000, "the restart-service result");
    expect(r.status, JSON.stringify(r)).toBe("succeeded");
  }, 40_000);

  it("reboot reboots; systemd stops the agent cleanly and it leaves a retained offline", async () => {
    const session = heartbeats().at(-1)!.session;
    await observer.publishAsync(topics.cmd(BOARD, "reboot"), JSON.stringify({ id: "ns-reboot" }), { qos: 1 });
    // systemd-nspawn exits with 133 when the container asks to be rebooted.
    const code = await Promise.race([containerExit, new Promise<string>((r) => setTimeout(() => r("timeout"), 60_000))]);
    expect(code, output.slice(-3000)).toBe(133);
    const offline = messages
      .filter((m) => m.topic === topics.status(BOARD))
      .map((m) => decodePayload(statusSchema, m.payload, 1024))
      .flatMap((d) => (d.ok ? [d.value] : []))
      .at(-1);
    expect(offline).toMatchObject({ state: "offline", session });
    console.log(`reboot result as seen by the operator: ${JSON.stringify(lastResult("ns-reboot"))}`);

    // The journal (in the overlay's upper layer) shows a clean stop and no sandbox refusals.
    const journalDir = join(work, "fs", "upper", "var", "log", "journal");
    const machine = readdirSync(journalDir)[0]!;
    const j = spawnSync("journalctl", ["-D", join(journalDir, machine), "--no-pager", "-o", "cat", "-u", "bbb-agent"], { encoding: "utf8" });
    expect(j.stdout).toContain("bbb-agent.service: Deactivated successfully.");
    expect(j.stdout).not.toMatch(/Failed with result|Operation not permitted|Read-only file system|EPERM|EROFS/);
  }, 80_000);
});
