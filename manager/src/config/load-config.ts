import { readFileSync, existsSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { CodedError, describeZodError } from "@bbb/shared";
import { ManagerErrorCodes } from "../errors.js";
import { configSchema, ENV_KEYS, SECRET_FILE_ENV, type Config } from "./schema.js";

export interface LoadConfigOptions {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** Reads the config file (`BBB_CONFIG`, else ./bbb.config.json if present; JSON or YAML). */
function readConfigFile(env: LoadConfigOptions["env"], cwd: string): Record<string, unknown> {
  const explicit = env.BBB_CONFIG;
  const path = resolve(cwd, explicit ?? "bbb.config.json");
  if (!existsSync(path)) {
    if (explicit) throw new CodedError(ManagerErrorCodes.CONFIG, `config file ${path} does not exist`);
    return {};
  }
  const text = readFileSync(path, "utf8");
  let value: unknown;
  try {
    value = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e: unknown) {
    throw new CodedError(
      ManagerErrorCodes.CONFIG,
      `config file ${path}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new CodedError(ManagerErrorCodes.CONFIG, `config file ${path}: not an object`);
  }
  return value as Record<string, unknown>;
}

/** `NAME`, else the content of the file `NAME_FILE` names (one trailing newline removed). */
function envValue(env: LoadConfigOptions["env"], cwd: string, name: string): string | undefined {
  const v = env[name];
  if (v !== undefined && v !== "") return v;
  const file = SECRET_FILE_ENV.includes(name) ? env[`${name}_FILE`] : undefined;
  if (file === undefined || file === "") return undefined;
  try {
    return readFileSync(resolve(cwd, file), "utf8").replace(/\r?\n$/, "");
  } catch (e: unknown) {
    // The message names the variable and the file, never the content.
    throw new CodedError(
      ManagerErrorCodes.CONFIG,
      `${name}_FILE=${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
}

function setPath(target: Record<string, unknown>, path: string, value: string): void {
  const keys = path.split(".");
  let o = target;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    o = o[k] = typeof next === "object" && next !== null && !Array.isArray(next) ? { ...next } : {};
  }
  o[keys[keys.length - 1] as string] = value;
}

/** Config file merged with the environment (env wins), validated. Throws MGR_E_CONFIG. */
export function loadConfig(opts: LoadConfigOptions): Config {
  const merged: Record<string, unknown> = { ...readConfigFile(opts.env, opts.cwd) };
  for (const [envKey, key] of Object.entries(ENV_KEYS)) {
    const v = envValue(opts.env, opts.cwd, envKey);
    if (v !== undefined) setPath(merged, key, v);
  }
  const r = configSchema.safeParse(merged);
  if (!r.success)
    throw new CodedError(ManagerErrorCodes.CONFIG, `invalid configuration: ${describeZodError(r.error, 5)}`);
  const cfg = r.data;
  return { ...cfg, dataDir: resolve(opts.cwd, cfg.dataDir) };
}
