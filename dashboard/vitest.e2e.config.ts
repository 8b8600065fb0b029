import { defineConfig } from "vitest/config";

// Browser end-to-end tests and the 10,000-board measurement: node environment, real servers,
// Debian's headless Chromium through playwright-core. One file at a time: each starts a
// browser and servers, and the machine has two cores.
export default defineConfig({
  test: {
    name: "dashboard-e2e",
    environment: "node",
    include: ["test/**/*.e2e.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 1,
    fileParallelism: false,
    // Removes the fake board roots a test file left in the temp dir (as for the Node projects).
    setupFiles: ["../scripts/vitest-setup.ts"],
  },
});
