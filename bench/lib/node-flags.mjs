import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * The node flags the product's server runs with: those of `npm start` (package.json), which
 * the image's entrypoint uses for every role too. Read, not copied, so the benchmark measures
 * the server and the broker as shipped.
 */
export const START_FLAGS = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8"))
  .scripts.start.split(" ")
  .filter((w) => w.startsWith("--"));
