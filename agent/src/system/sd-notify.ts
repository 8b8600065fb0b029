import { CodedError } from "@bbb/shared";
import { AgentErrorCodes } from "../errors.js";
import type { Exec } from "./exec.js";

export interface SdNotifyDeps {
  env: Readonly<Record<string, string | undefined>>;
  exec: Exec;
  pid: number;
  setInterval: (fn: () => void, ms: number) => { unref?: () => unknown };
  clearInterval: (t: ReturnType<SdNotifyDeps["setInterval"]>) => void;
  onError: (e: unknown) => void;
}

/**
 * systemd's notify protocol for bbb-agent.service (Type=notify, WatchdogSec=; docs/deployment.md
 * "A frozen agent restarts itself"). Node has no datagram Unix sockets, so each message goes
 * through `systemd-notify --pid=<agent pid>`: the message then carries the agent's PID as its
 * sender, which systemd (232 on Debian 9, 241 on Debian 10) maps to the unit even after the
 * short-lived helper has exited. The watchdog pings come from a timer on the agent's own event
 * loop, sent at a third of WATCHDOG_USEC: when the loop stalls, the pings stop and systemd
 * restarts the agent. Without NOTIFY_SOCKET (not under systemd) nothing is sent.
 */
export function createSdNotify(deps: SdNotifyDeps) {
  const socket = deps.env.NOTIFY_SOCKET;
  const usec = Number(deps.env.WATCHDOG_USEC ?? "");
  const watchdogPid = deps.env.WATCHDOG_PID;
  const watchdogMs = Number.isFinite(usec) && usec > 0 && (!watchdogPid || Number(watchdogPid) === deps.pid) ? usec / 1000 : 0;
  let timer: ReturnType<SdNotifyDeps["setInterval"]> | null = null;
  const send = async (message: string): Promise<void> => {
    if (!socket) return;
    const r = await deps.exec("systemd-notify", [`--pid=${deps.pid}`, message], {
      timeoutMs: 10_000,
      env: { NOTIFY_SOCKET: socket },
    });
    if (r.exitCode !== 0)
      throw new CodedError(AgentErrorCodes.EXEC_FAILED, `systemd-notify ${message} exited ${r.exitCode}: ${r.stderr.trim()}`);
  };
  const report = (p: Promise<void>) => void p.catch(deps.onError);
  return {
    enabled: Boolean(socket),
    /** Pings every WATCHDOG_USEC / 3 ms; 0 when systemd asked for no watchdog. */
    watchdogIntervalMs: watchdogMs > 0 ? Math.max(1, Math.floor(watchdogMs / 3)) : 0,
    /** READY=1, then the watchdog pings. */
    ready(): void {
      if (!socket) return;
      report(send("READY=1"));
      if (watchdogMs > 0 && timer === null) {
        timer = deps.setInterval(() => report(send("WATCHDOG=1")), Math.max(1, Math.floor(watchdogMs / 3)));
        timer.unref?.();
      }
    },
    /** STOPPING=1 and no more pings: systemd waits for the exit instead of the watchdog. */
    stopping(): void {
      if (timer !== null) deps.clearInterval(timer);
      timer = null;
      if (socket) report(send("STOPPING=1"));
    },
  };
}
export type SdNotify = ReturnType<typeof createSdNotify>;
