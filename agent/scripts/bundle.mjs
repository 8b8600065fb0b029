#!/usr/bin/env node
// Bundles the agent into one CommonJS file for the boards (docs/deployment.md §"On a board"):
// dist-bundle/bbb-agent.cjs + its source map, no node_modules needed on the board, runs on
// Node 18 (Debian 12's own nodejs) and Node 20.
//
//   node scripts/bundle.mjs [--no-minify] [--outdir DIR] [--entry FILE]
//
// Prints the bundle size. Exits non-zero on any esbuild error.
import { build } from "esbuild";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const agentDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoDir = resolve(agentDir, "..");

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const minify = !process.argv.includes("--no-minify");
const outdir = resolve(option("--outdir", join(agentDir, "dist-bundle")));
const entry = resolve(option("--entry", join(agentDir, "src", "main.ts")));
const outfile = join(outdir, "bbb-agent.cjs");
const version = JSON.parse(readFileSync(join(agentDir, "package.json"), "utf8")).version;

// Workspace packages are bundled from their TypeScript sources, so the bundle never depends on
// a stale shared/dist (the package exports point at dist/ for the Node resolution of the others).
const workspaceSources = {
  name: "bbb-workspace-sources",
  setup(b) {
    b.onResolve({ filter: /^@bbb\/shared$/ }, () => ({ path: join(repoDir, "shared", "src", "index.ts") }));
  },
};

// zod's `z.locales` namespace re-exports every message locale (~250 KiB); the agent only ever
// uses the default English messages, so the bundle gets a locales module holding just `en`.
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: resolve(args.resolveDir, "../locales/index.js"), namespace: "zod-locales" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(join(dirname(args.path), "en.js"))};`,
      loader: "js",
      resolveDir: dirname(args.path),
    }));
  },
};

// Optional native parts, left out so that the JavaScript fallbacks are used on the board:
// ssh2 loads `cpu-features` and `./crypto/build/Release/sshcrypto.node` inside try/catch and falls
// back to pure JS (and its WASM poly1305); ws tries `bufferutil` / `utf-8-validate` the same way.
const external = ["cpu-features", "*.node", "bufferutil", "utf-8-validate"];

const started = performance.now();
mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  mainFields: ["module", "main"],
  conditions: ["node"],
  external,
  plugins: [workspaceSources, zodEnglishOnly],
  minify,
  keepNames: false,
  sourcemap: "linked",
  sourcesContent: true,
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
  // ESM sources use import.meta.url; CommonJS has __filename instead.
  define: { "import.meta.url": "__bbbImportMetaUrl" },
  // The banner stays ASCII like esbuild's own output (charset "ascii"): one non-ASCII character
  // makes V8 hold the whole ~1 MiB source as a two-byte string, 1 MiB more resident for good.
  charset: "ascii",
  banner: {
    js: `/* bbb-agent ${version}: bundled; see bbb-agent.cjs.LEGAL.txt for the licences of bundled packages */\nvar __bbbImportMetaUrl = require("node:url").pathToFileURL(__filename).href;`,
  },
});

writeFileSync(join(outdir, "meta.json"), JSON.stringify(result.metafile));
// See `charset` above: a non-ASCII byte anywhere (a banner, a plugin's output) doubles the
// resident source. Caught here rather than on a board.
const nonAscii = readFileSync(outfile).findIndex((b) => b > 0x7f);
if (nonAscii >= 0) {
  console.error(`${outfile}: non-ASCII byte at offset ${nonAscii}; V8 would keep the source as UTF-16`);
  process.exit(1);
}
const bytes = statSync(outfile).size;
const gz = gzipSync(readFileSync(outfile)).length;
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const ms = Math.round(performance.now() - started);
const shown = relative(process.cwd(), outfile).startsWith("..") ? outfile : relative(process.cwd(), outfile);
console.log(
  `${shown}: ${kib(bytes)} (${kib(gz)} gzipped), minify=${minify}, target node18, ${ms} ms`,
);
