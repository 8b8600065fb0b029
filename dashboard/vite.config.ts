import { fileURLToPath } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

// The dashboard is served by the manager at "/" on the HTTP port (docs/protocol.md §"Ports"); a
// relative base also lets it live under a reverse-proxy prefix.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [vue()],
  // mqtt 5's package.json maps the "browser" + "import" conditions to dist/mqtt.esm.js, a
  // self-contained ESM build with its Node polyfills inlined; Vite picks it by those
  // conditions, so nothing needs aliasing or polyfilling here.
  resolve: { conditions: ["browser", "import", "module", "default"] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 700,
  },
  server: { port: 5173 },
});
