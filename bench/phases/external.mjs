import { systemRun } from "./system.mjs";
import { prepareMosquitto } from "../lib/external-broker.mjs";
import { FLEET_SECRET, ADMIN_PASSWORD } from "../lib/server-runner.mjs";
import { progress } from "../lib/progress.mjs";

/**
 * The whole system on Debian's mosquitto (docs/deployment.md §"An existing MQTT broker": the
 * manager with BBB_ROLE=manager, mosquitto with the files of `bbbctl export mosquitto`) beside the
 * all-in-one server, in one run with the same generator and load.
 */
export async function runExternalPhase({ sizes, warmupS, measureS, connectsPerSec, workers }) {
  const out = { sizes: [] };
  for (const boards of sizes) {
    const rows = [];
    for (const config of ["all-in-one", "manager + mosquitto"]) {
      const broker = config === "all-in-one" ? undefined : (dataDir) => prepareMosquitto({ dataDir, boards, fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD });
      try {
        rows.push({ config, ...(await systemRun({ boards, warmupS, measureS, connectsPerSec, workers, broker, phase: "external" })) });
      } catch (e) {
        progress("external", `${boards} boards, ${config}: failed: ${e?.message ?? e}`);
        rows.push({ config, boards, error: String(e?.message ?? e) });
      }
    }
    out.sizes.push({ boards, rows });
  }
  return out;
}
