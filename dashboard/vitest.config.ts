import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vitest/config";

// Project "dashboard" of the root vitest config: component and unit tests in happy-dom.
// Browser end-to-end tests (test/*.e2e.test.ts) run in their own node project:
// vitest.e2e.config.ts.
export default defineConfig({
  plugins: [vue()],
  test: {
    name: "dashboard",
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
});
