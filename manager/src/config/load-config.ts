import { readFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { describeZodError } from "@bbb/shared";
import { ManagerError, ManagerErrorCodes } from "../errors.js";
import { configSchema, ENV_KEYS, type Config } from "./schema.js";

export interface LoadConfigOptions {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** Reads the config file (`BBB_CONFIG`, else ./bbb.config.json if present; JSON or YAML). */
function readConfigFile(env: LoadConfigOptions["env"], cwd: string): Record<string, unknown> {
  const explicit = env.BBB_CONFIG;
  const path = resolve(cwd, explicit ?? "bbb.config.json");
  if (!existsSync(path)) {
    if (explicit) throw new ManagerError(ManagerErrorCodes.CONFIG, `config file ${path} does not exist`);
    return {};
  }
  const text = readFileSync(path, "utf8");
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e: unknown) {
    throw new ManagerError(
      ManagerErrorCodes.CONFIG,
      `config file ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ManagerError(ManagerErrorCodes.CONFIG, `config file ${path}: not an object`);
  }
  return value as Record<string, unknown>;
}

/** Config file merged with the environment (env wins), validated. Throws MGR_E_CONFIG. */
export function loadConfig(opts: LoadConfigOptions): Config {
  const merged: Record<string, unknown> = { ...readConfigFile(opts.env, opts.cwd) };
  for (const [envKey, key] of Object.entries(ENV_KEYS)) {
    const v = opts.env[envKey];
    if (v !== undefined && v !== "") merged[key] = v;
  }
  // TLS from the environment: both files, like the broker-only process (BBB_TLS_CERT, BBB_TLS_KEY).
  const { BBB_TLS_CERT: cert, BBB_TLS_KEY: key, BBB_TLS_CA: ca } = opts.env;
  if (cert && key) merged.tls = { cert, key, ...(ca ? { ca } : {}) };
  const r = configSchema.safeParse(merged);
  if (!r.success)
    throw new ManagerError(ManagerErrorCodes.CONFIG, `invalid configuration: ${describeZodError(r.error, 5)}`);
  const cfg = r.data;
  return { ...cfg, dataDir: resolve(opts.cwd, cfg.dataDir) };
}
