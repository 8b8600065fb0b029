import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { DASHBOARD } from "./browser.js";

/** Builds the dashboard as shipped (vite build) into a temp folder, so a test never serves a stale dist/. */
export async function buildDashboard(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), "bbb-dash-build-"));
  await build({ configFile: join(DASHBOARD, "vite.config.ts"), root: DASHBOARD, mode: "production", logLevel: "warn", build: { outDir, emptyOutDir: true, sourcemap: false, minify: !process.env.BBB_PROFILE } });
  return outDir;
}
