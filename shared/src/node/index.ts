/**
 * Node-only helpers of `@bbb/shared/node`. The main entry stays free of Node built-ins because
 * the dashboard bundles it for the browser.
 */
export * from "./atomic-file.js";
export * from "./log-format.js";
export * from "./program-args.js";
export * from "./loop-lag.js";
export * from "./gc-pauses.js";
export * from "./no-delay.js";
