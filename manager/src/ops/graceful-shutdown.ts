import type { Logger } from "pino";

export interface ShutdownDeps {
  /** Undoes the server's start (createServer().stop). */
  stop: () => Promise<void>;
  log: Logger;
  /** Longest clean stop before exiting anyway (config.shutdownTimeoutMs). */
  timeoutMs: number;
  exit: (code: number) => void;
  now?: () => number;
}

/**
 * The signal handler of main.ts (graceful shutdown within a bound): the first signal
 * starts a clean stop and exits 0 when it is done, 1 if it failed; a stop that takes longer
 * than `timeoutMs` is abandoned with a log line and exit code 1. Later signals are ignored.
 */
export function createShutdown(deps: ShutdownDeps): (signal: string) => void {
  const now = deps.now ?? Date.now;
  let stopping = false;
  return (signal) => {
    if (stopping) return;
    stopping = true;
    const started = now();
    deps.log.info({ signal, timeoutMs: deps.timeoutMs }, "stopping");
    const force = setTimeout(() => {
      deps.log.error({ timeoutMs: deps.timeoutMs }, "clean stop took too long: exiting anyway");
      deps.exit(1);
    }, deps.timeoutMs);
    force.unref();
    deps.stop().then(
      () => {
        clearTimeout(force);
        deps.log.info({ ms: now() - started }, "stopped");
        deps.exit(0);
      },
      (err: unknown) => {
        clearTimeout(force);
        deps.log.error({ err }, "stop failed");
        deps.exit(1);
      },
    );
  };
}
