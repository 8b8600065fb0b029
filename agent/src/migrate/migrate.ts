import { z } from "zod";
import { CodedError } from "@bbb/shared";
import { AgentErrorCodes } from "../errors.js";
import type { Exec } from "../system/exec.js";
import type { RootedFs } from "../system/rooted-fs.js";
import { findOldUnits, readOldIdentity, type OldIdentity, type OldUnit } from "./old-board.js";

/** Written by `bbb-agent migrate` in the agent's state folder; read by `--rollback`. */
export const MIGRATION_RECORD = "migration.json";
export const AGENT_UNIT = "bbb-agent.service";

const nullableText = z.string().nullable();
const recordSchema = z.object({
  version: z.literal(1),
  at: z.string(),
  units: z.array(z.object({ name: z.string(), path: z.string(), enabled: z.boolean() })),
  identity: z.object({
    hostname: nullableText,
    epicsName: nullableText,
    deviceType: nullableText,
    deviceDetails: nullableText,
    projectDir: nullableText,
  }),
});
export type MigrationRecord = z.infer<typeof recordSchema> & { units: OldUnit[]; identity: OldIdentity };

export interface MigrateDeps {
  /** The board's file system: "/" on the board, a mounted root with `--root`. */
  fs: RootedFs;
  exec: Exec;
  /** The agent's state folder as a system path on the board (config stateDir). */
  stateDir: string;
  /** The agent's config file (system path on the board): migrate adds rc.local's projectDir. */
  configPath: string;
  /** systemctl works offline on this root (`--root=`) when set: a board's root mounted elsewhere. */
  systemctlRoot: string | null;
  /** True when the board's systemd runs (/run/systemd/system): units are stopped / started too. */
  systemdRunning: boolean;
  out: (line: string) => void;
  now: () => Date;
}

/** systemctl argv for the board: offline (`--root`) on a mounted root, live with `--now` otherwise. */
function systemctlArgs(deps: MigrateDeps, verb: "enable" | "disable", unit: string): string[] {
  if (deps.systemctlRoot !== null) return [`--root=${deps.systemctlRoot}`, verb, unit];
  return deps.systemdRunning ? [verb, "--now", unit] : [verb, unit];
}

async function systemctl(deps: MigrateDeps, verb: "enable" | "disable", unit: string): Promise<void> {
  const args = systemctlArgs(deps, verb, unit);
  const r = await deps.exec("systemctl", args, { timeoutMs: 60_000 });
  if (r.exitCode !== 0)
    throw new CodedError(AgentErrorCodes.EXEC_FAILED, `systemctl ${args.join(" ")} exited ${r.exitCode}: ${r.stderr.trim()}`);
}

/**
 * Takes the board over from the old daemons (docs/deployment.md "Taking over from the old
 * daemons"): records what they knew and which of their units were enabled, then stops and
 * disables those units. Unit files are never deleted, so `--rollback` can bring them back.
 * Idempotent: a second run finds the units disabled and keeps the first record.
 */
export async function migrate(deps: MigrateDeps, dryRun = false): Promise<MigrationRecord> {
  const units = await findOldUnits(deps.fs);
  const identity = await readOldIdentity(deps.fs);
  const recordPath = `${deps.stateDir}/${MIGRATION_RECORD}`;
  const previous = await readRecord(deps.fs, recordPath);
  deps.out(`board: hostname ${identity.hostname ?? "(none)"}${identity.epicsName !== identity.hostname ? ` (${identity.epicsName})` : ""}, device ${identity.deviceType ?? "(no /opt/device.json)"}`);
  deps.out(`project folder rc.local uses: ${identity.projectDir ?? "(none found)"}`);
  if (units.length === 0) deps.out("no old daemon found (bbbread.service, bbb-daemon.service)");
  // An earlier run's record wins for the units it saw enabled: they are disabled now.
  const enabledBefore = new Set(previous?.units.filter((u) => u.enabled).map((u) => u.name) ?? []);
  const record: MigrationRecord = {
    version: 1,
    at: previous?.at ?? deps.now().toISOString(),
    units: units.map((u) => ({ ...u, enabled: u.enabled || enabledBefore.has(u.name) })),
    identity,
  };
  for (const u of units) deps.out(`${dryRun ? "would stop and disable" : "stopping and disabling"} ${u.name} (${u.path}, ${u.enabled ? "enabled" : "not enabled"}); bbb-function is left running`);
  if (dryRun) return record;
  await deps.fs.mkdirp(deps.stateDir);
  await deps.fs.writeAtomic(recordPath, `${JSON.stringify(record, null, 2)}\n`, 0o600);
  if (identity.projectDir !== null) await keepProjectDir(deps, identity.projectDir);
  for (const u of units) if (u.enabled) await systemctl(deps, "disable", u.name);
  deps.out(`taken over; 'bbb-agent migrate --rollback' hands the board back (${recordPath})`);
  return record;
}

/**
 * Hands the board back: re-enables (and starts) the old units that were enabled before the
 * takeover, then stops and disables bbb-agent. Without a record there is nothing to undo.
 */
export async function rollback(deps: MigrateDeps, dryRun = false): Promise<MigrationRecord | null> {
  const recordPath = `${deps.stateDir}/${MIGRATION_RECORD}`;
  const record = await readRecord(deps.fs, recordPath);
  if (record === null) {
    deps.out(`nothing to roll back: no ${recordPath}`);
    return null;
  }
  const again = record.units.filter((u) => u.enabled);
  for (const u of again) deps.out(`${dryRun ? "would enable and start" : "enabling and starting"} ${u.name}`);
  deps.out(`${dryRun ? "would stop and disable" : "stopping and disabling"} ${AGENT_UNIT}`);
  if (dryRun) return record;
  for (const u of again) await systemctl(deps, "enable", u.name);
  await systemctl(deps, "disable", AGENT_UNIT);
  await deps.fs.writeAtomic(`${deps.stateDir}/migration.rolled-back.json`, `${JSON.stringify(record, null, 2)}\n`, 0o600);
  await deps.fs.remove(recordPath);
  deps.out("handed back to the old daemons");
  return record;
}

/**
 * Writes rc.local's project folder into the config as projectDir, unless the config already
 * names one: sync-project then installs projects where the board's rc.local looks for them.
 */
async function keepProjectDir(deps: MigrateDeps, projectDir: string): Promise<void> {
  const text = await deps.fs.tryReadText(deps.configPath);
  if (text === null) return;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    deps.out(`${deps.configPath} is not JSON: projectDir ${projectDir} not written`);
    return;
  }
  if (typeof config !== "object" || config === null || Array.isArray(config) || "projectDir" in config) return;
  await deps.fs.writeAtomic(deps.configPath, `${JSON.stringify({ ...config, projectDir }, null, 2)}\n`, 0o600);
  deps.out(`projectDir ${projectDir} written to ${deps.configPath}`);
}

async function readRecord(fs: RootedFs, path: string): Promise<MigrationRecord | null> {
  const text = await fs.tryReadText(path);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const r = recordSchema.safeParse(parsed);
  if (!r.success) throw new CodedError(AgentErrorCodes.CONFIG, `${fs.resolve(path)}: not a migration record`);
  return r.data;
}
