import * as fsp from "node:fs/promises";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createStateFiles } from "../state/state-files.js";
import { createRootedFs } from "../system/rooted-fs.js";
import type { Exec } from "../system/exec.js";
import { createIocServiceProbe, parseProcServBanner, parseSystemdShow } from "./ioc-service.js";

const BANNER = (pid: number | null) =>
  [
    "@@@ Welcome to procServ (procServ Process Server 2.8.0)",
    "@@@ Use ^X to kill the child, auto restart is ON, use ^T to toggle auto restart",
    "@@@ procServ server PID: 811",
    "@@@ Server startup directory: /opt/ioc",
    "@@@ Child startup directory: /opt/ioc/iocBoot",
    pid === null ? '@@@ Child "ioc-ps" is SHUT DOWN' : `@@@ Child "ioc-ps" PID: ${pid}`,
    "@@@ procServ server started at: Sun Dec  6 04:00:00 2026",
    "@@@ 0 user(s) and 0 logger(s) connected (plus you)",
    "",
  ].join("\r\n");

describe("parseSystemdShow", () => {
  it("reads state, restarts and PID", () => {
    expect(parseSystemdShow("ActiveState=active\nSubState=running\nNRestarts=3\nMainPID=1234\n")).toEqual({
      running: true,
      restarts: 3,
      pid: 1234,
    });
    expect(parseSystemdShow("ActiveState=failed\nSubState=failed\nNRestarts=5\nMainPID=0\n")).toEqual({
      running: false,
      restarts: 5,
      pid: null,
      detail: "ActiveState=failed (failed)",
    });
  });
  it("cannot tell without ActiveState; an old systemd without NRestarts gives null restarts", () => {
    expect(parseSystemdShow("")).toMatchObject({ running: null, detail: expect.stringMatching(/ActiveState/) });
    expect(parseSystemdShow("ActiveState=active\nMainPID=9\n")).toEqual({ running: true, restarts: null, pid: 9 });
  });
});

describe("parseProcServBanner", () => {
  it("running child with its PID, shut-down child, no banner", () => {
    expect(parseProcServBanner(BANNER(2001))).toEqual({ running: true, restarts: null, pid: 2001 });
    expect(parseProcServBanner(BANNER(null))).toMatchObject({ running: false, pid: null });
    expect(parseProcServBanner("SSH-2.0-OpenSSH\r\n")).toMatchObject({ running: null, detail: "no procServ banner on the port" });
  });
});

describe("createIocServiceProbe", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function setup(exec: Exec) {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "bbb-iocsvc-"));
    cleanups.push(() => fsp.rm(dir, { recursive: true, force: true }));
    await fsp.mkdir(path.join(dir, "root/proc/sys/kernel/random"), { recursive: true });
    const bootId = path.join(dir, "root/proc/sys/kernel/random/boot_id");
    await fsp.writeFile(bootId, "boot-1\n");
    await fsp.mkdir(path.join(dir, "state"));
    const probe = () => createIocServiceProbe({ exec, fs: createRootedFs(path.join(dir, "root")), files: createStateFiles(path.join(dir, "state")), timeoutMs: 2000 });
    return { probe, bootId };
  }

  it("asks systemd with an argv (no shell) and reads its answer", async () => {
    const calls: string[][] = [];
    const exec: Exec = (file, args) => {
      calls.push([file, ...args]);
      return Promise.resolve({ exitCode: 0, stdout: "ActiveState=active\nNRestarts=2\nMainPID=77\n", stderr: "" });
    };
    const { probe } = await setup(exec);
    expect(await probe().probe("ioc", { kind: "systemd", unit: "ioc-ps.service" })).toEqual({ running: true, restarts: 2, pid: 77 });
    expect(calls).toEqual([["systemctl", "show", "ioc-ps.service", "--property=ActiveState,SubState,NRestarts,MainPID"]]);
  });

  it("procServ: counts child PID changes since boot, across agent restarts, reset by a new boot id", async () => {
    let pid: number | null = 100;
    const server = net.createServer((s) => s.end(BANNER(pid)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as net.AddressInfo).port;
    const { probe, bootId } = await setup(() => Promise.reject(new Error("no exec")));
    const svc = { kind: "procserv" as const, port };
    const a = probe();
    expect(await a.probe("ioc-ps", svc)).toEqual({ running: true, restarts: 0, pid: 100 });
    pid = 101;
    expect(await a.probe("ioc-ps", svc)).toMatchObject({ restarts: 1, pid: 101 });
    pid = null;
    expect(await a.probe("ioc-ps", svc)).toMatchObject({ running: false, restarts: 1 });
    pid = 102;
    // A new agent process on the same boot keeps the count.
    expect(await probe().probe("ioc-ps", svc)).toMatchObject({ running: true, restarts: 2, pid: 102 });
    await fsp.writeFile(bootId, "boot-2\n");
    expect(await probe().probe("ioc-ps", svc)).toMatchObject({ restarts: 0, pid: 102 });
  });

  it("procServ port closed: not running, with the reason", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const { probe } = await setup(() => Promise.reject(new Error("no exec")));
    const st = await probe().probe("ioc-ps", { kind: "procserv", port });
    expect(st.running).toBe(false);
    expect(st.detail).toMatch(/ECONNREFUSED/);
  });
});
