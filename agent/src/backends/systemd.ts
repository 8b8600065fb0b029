import { serviceStates, type Heartbeat } from "@bbb/shared";
import type { Exec } from "../system/exec.js";
import type { Runner } from "../system/runner.js";

type ServiceState = NonNullable<Heartbeat["services"]>[string];
const known: ReadonlySet<string> = new Set(serviceStates);

/** `systemctl is-active a b c` prints one state per unit, in order (exit code ignored). */
export function parseIsActive(units: readonly string[], stdout: string): Record<string, ServiceState> {
  const lines = stdout.split("\n").map((l) => l.trim());
  const out: Record<string, ServiceState> = {};
  units.forEach((u, i) => {
    const s = lines[i] ?? "";
    out[u] = known.has(s) ? (s as ServiceState) : "unknown";
  });
  return out;
}

/** Services and power through systemctl (docs/protocol.md §"Commands and results": no shell, argv only). */
export function createSystemdBackend(exec: Exec) {
  return {
    async states(units: readonly string[]): Promise<Record<string, ServiceState>> {
      if (units.length === 0) return {};
      const r = await exec("systemctl", ["is-active", ...units], { timeoutMs: 10_000 });
      return parseIsActive(units, r.stdout);
    },
    restart: (unit: string, run: Runner) => run("systemctl", ["restart", unit]),
    stop: (unit: string, run: Runner) => run("systemctl", ["stop", unit]),
    /**
     * Queues the reboot job and returns (actions/reboot.ts): a blocking call would be killed by
     * the very shutdown it started and report a failure.
     */
    reboot: (run: Runner) => run("systemctl", ["--no-block", "reboot"]),
  };
}
export type SystemdBackend = ReturnType<typeof createSystemdBackend>;
