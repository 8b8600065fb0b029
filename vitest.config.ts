import { defineConfig } from "vitest/config";

// One root config; each workspace is a project. Integration tests start real servers on
// port 0, real agent processes and real peers (mosquitto clients, sftp, socat, chromium).
const node = (name: string, extra: string[] = []) => ({
  extends: true as const,
  test: {
    name,
    environment: "node" as const,
    include: [`${name}/src/**/*.test.ts`, `${name}/test/**/*.test.ts`, ...extra],
    // Removes the fake board roots a test file left in the temp dir.
    setupFiles: ["scripts/vitest-setup.ts"],
  },
});

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [node("shared"), node("broker"), node("agent"), node("manager"), "dashboard", "dashboard/vitest.e2e.config.ts"],
  },
});
