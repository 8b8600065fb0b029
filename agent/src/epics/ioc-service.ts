import * as net from "node:net";
import type { IocService } from "@bbb/shared";
import type { StateFiles } from "../state/state-files.js";
import type { Exec } from "../system/exec.js";
import type { RootedFs } from "../system/rooted-fs.js";

export interface ServiceStatus {
  running: boolean | null;
  restarts: number | null;
  pid: number | null;
  detail?: string;
}

/** `systemctl show UNIT --property=…` prints `Key=Value` lines. */
export function parseSystemdShow(stdout: string): ServiceStatus {
  const kv = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const active = kv.get("ActiveState");
  const restarts = /^\d+$/.test(kv.get("NRestarts") ?? "") ? Number(kv.get("NRestarts")) : null;
  const pidNum = Number(kv.get("MainPID") ?? "0");
  const pid = Number.isInteger(pidNum) && pidNum > 0 ? pidNum : null;
  if (active === undefined) return { running: null, restarts, pid, detail: "systemctl show: no ActiveState" };
  const sub = kv.get("SubState");
  const out: ServiceStatus = { running: active === "active", restarts, pid };
  if (active !== "active") out.detail = `ActiveState=${active}${sub ? ` (${sub})` : ""}`;
  return out;
}

/**
 * procServ's greeting on its control port (procServ 2.x): `@@@ Child "ioc" PID: 1234` while the
 * child runs, `@@@ Child "ioc" is SHUT DOWN` when it does not.
 */
export function parseProcServBanner(text: string): ServiceStatus {
  const pid = /^@@@ Child "[^"]*" PID: (\d+)/m.exec(text);
  if (pid?.[1]) return { running: true, restarts: null, pid: Number(pid[1]) };
  if (/^@@@ Child "[^"]*" is SHUT DOWN/m.test(text) || /^@@@ .*child.*(not running|shut down)/im.test(text)) {
    return { running: false, restarts: null, pid: null, detail: "procServ: child is shut down" };
  }
  if (!/^@@@ /m.test(text)) return { running: null, restarts: null, pid: null, detail: "no procServ banner on the port" };
  return { running: null, restarts: null, pid: null, detail: "procServ banner names no child PID" };
}

/** Reads procServ's banner from its control port on the board and hangs up. */
export function readProcServBanner(
  port: number,
  timeoutMs: number,
  connect: (port: number, host: string) => net.Socket = (p, h) => net.connect(p, h),
): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    let text = "";
    const done = (err?: Error) => {
      clearTimeout(timer);
      sock.destroy();
      if (err && text === "") reject(err);
      else resolve(text);
    };
    const timer = setTimeout(() => done(new Error("procServ did not answer")), timeoutMs);
    sock.setEncoding("latin1");
    sock.on("data", (d: string) => {
      text += d;
      // The banner ends with the "N user(s) and M logger(s) connected" line.
      if (/user\(s\) and .* connected/.test(text) || text.length > 8192) done();
    });
    sock.on("error", (e) => done(e));
    sock.on("close", () => done(new Error("procServ closed the connection")));
  });
}

interface RestartBook {
  bootId: string;
  iocs: Record<string, { pid: number; restarts: number }>;
}
const BOOK_FILE = "ioc-restarts.json";

/**
 * Service status of each IOC: systemd through `systemctl show` (a recording fake in tests), a
 * procServ child through its control port. procServ restarts are counted as child PID changes,
 * kept in the state directory per boot id, so the count is "since boot" across agent restarts.
 */
export function createIocServiceProbe(deps: {
  exec: Exec;
  fs: RootedFs;
  files: StateFiles;
  timeoutMs: number;
  connect?: (port: number, host: string) => net.Socket;
}) {
  let book: RestartBook | null = null;

  async function loadBook(): Promise<RestartBook> {
    const bootId = ((await deps.fs.tryReadSmall("/proc/sys/kernel/random/boot_id", 64)) ?? "").trim();
    if (book && book.bootId === bootId) return book;
    const stored = (await deps.files.read(BOOK_FILE)) as Partial<RestartBook> | null;
    book =
      stored && stored.bootId === bootId && typeof stored.iocs === "object" && stored.iocs !== null
        ? { bootId, iocs: stored.iocs }
        : { bootId, iocs: {} };
    return book;
  }

  async function countRestart(ioc: string, pid: number | null): Promise<number> {
    const b = await loadBook();
    const prev = b.iocs[ioc];
    if (pid === null) return prev?.restarts ?? 0;
    if (prev?.pid === pid) return prev.restarts;
    b.iocs[ioc] = { pid, restarts: prev ? prev.restarts + 1 : 0 };
    await deps.files.write(BOOK_FILE, b);
    return b.iocs[ioc].restarts;
  }

  return {
    async probe(ioc: string, service: IocService): Promise<ServiceStatus> {
      if (service.kind === "systemd") {
        const r = await deps.exec(
          "systemctl",
          ["show", service.unit, "--property=ActiveState,SubState,NRestarts,MainPID"],
          { timeoutMs: deps.timeoutMs },
        );
        if (r.exitCode !== 0) return { running: null, restarts: null, pid: null, detail: `systemctl show exited ${r.exitCode}` };
        return parseSystemdShow(r.stdout);
      }
      let text: string;
      try {
        text = await readProcServBanner(service.port, deps.timeoutMs, deps.connect);
      } catch (e: unknown) {
        // No procServ on the port: the IOC's supervisor itself is gone.
        return { running: false, restarts: null, pid: null, detail: e instanceof Error ? e.message.slice(0, 128) : "no answer" };
      }
      const st = parseProcServBanner(text);
      return { ...st, restarts: await countRestart(ioc, st.pid) };
    },
  };
}
export type IocServiceProbe = ReturnType<typeof createIocServiceProbe>;
