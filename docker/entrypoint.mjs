// Container entrypoint (docs/deployment.md §"On the server"): picks the program of the role in BBB_ROLE and
// runs it in this process (so its SIGTERM handler gets the container's stop signal).
//   all-in-one  broker + manager + dashboard in one process (manager/dist/main.js), default
//   manager     manager/dist/main.js against the broker tier in BBB_MQTT_URL
//   broker      broker/dist/main.js, one replica of the clustered tier (BBB_REDIS_URL)
// Docker/Swarm secrets: for each NAME in SECRET_VARS, NAME_FILE names a file whose content
// (trailing newline removed) becomes NAME when NAME itself is not set. The programs read the
// *_FILE variables themselves too; doing it here as well keeps older images and the broker role
// on one convention.
import { readFileSync } from "node:fs";

const SECRET_VARS = ["BBB_FLEET_SECRET", "BBB_ADMIN_PASSWORD", "BBB_REDIS_URL"];
// Relative to this file: /app/docker/entrypoint.mjs in the image, docker/ in the repository.
const ROLES = {
  "all-in-one": "../manager/dist/main.js",
  manager: "../manager/dist/main.js",
  broker: "../broker/dist/main.js",
};

function fail(message) {
  process.stderr.write(`${JSON.stringify({ level: 50, time: Date.now(), module: "entrypoint", msg: message })}\n`);
  process.exit(2);
}

for (const name of SECRET_VARS) {
  const file = process.env[`${name}_FILE`];
  if (file === undefined || file === "" || (process.env[name] ?? "") !== "") continue;
  try {
    process.env[name] = readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (e) {
    fail(`${name}_FILE=${file} cannot be read: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const role = process.env.BBB_ROLE ?? "all-in-one";
const main = Object.hasOwn(ROLES, role) ? ROLES[role] : undefined;
if (main === undefined) fail(`BBB_ROLE=${role} is not one of ${Object.keys(ROLES).join(", ")}`);
process.env.BBB_ROLE = role;
await import(new URL(main, import.meta.url).href);
