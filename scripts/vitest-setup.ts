import { rm } from "node:fs/promises";
import { afterAll } from "vitest";
import { tempRoots } from "../agent/src/sim/temp-roots.js";

/**
 * Runs in every test file of the Node projects (vitest.config.ts): after the file's own
 * teardown, the fake board roots it created in the temp dir and did not remove
 * (agent/src/sim/temp-roots.ts) are removed, so a run leaves nothing behind in /tmp.
 */
afterAll(async () => {
  const roots = tempRoots();
  for (const dir of [...roots]) await rm(dir, { recursive: true, force: true });
  roots.clear();
});
