import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_PORTS } from "@bbb/shared";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/** Where and as whom bbbctl connects. */
export interface Connection {
  host: string;
  port: number;
  user: string | null;
  password: string | null;
  token: string | null;
  /** TLS on the command socket: verified with `ca` (a PEM file), else the system store; null: plain TCP. */
  tls: { ca: string | null } | null;
}

const fileSchema = z
  .object({
    host: z.string().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    user: z.string().min(1).max(128).optional(),
    password: z.string().max(1024).optional(),
    token: z.string().max(1024).optional(),
    tls: z.boolean().optional(),
    ca: z.string().min(1).max(4096).optional(),
  })
  .strict();

function tlsOf(env: Record<string, string | undefined>, file: z.infer<typeof fileSchema>): Connection["tls"] {
  const ca = env.BBB_TLS_CA || file.ca || null;
  const on = env.BBB_TLS ? env.BBB_TLS === "1" || env.BBB_TLS === "true" : (file.tls ?? false);
  return ca !== null || on ? { ca } : null;
}

export interface ConnectionFlags {
  host?: string;
  port?: string;
  user?: string;
  password?: string;
  config?: string;
}

/**
 * Flags win over the environment (BBB_HOST, BBB_CMD_PORT, BBB_USER, BBB_PASSWORD, BBB_TOKEN,
 * BBB_TLS=1 and BBB_TLS_CA for a server whose socket speaks TLS),
 * which wins over the config file (--config, BBBCTL_CONFIG, or ~/.config/bbbctl/config.{json,yaml}).
 */
export async function resolveConnection(
  flags: ConnectionFlags,
  env: Record<string, string | undefined>,
  home: string | null,
): Promise<Connection> {
  const candidates = flags.config
    ? [flags.config]
    : env.BBBCTL_CONFIG
      ? [env.BBBCTL_CONFIG]
      : home
        ? ["config.json", "config.yaml", "config.yml"].map((f) => join(home, ".config", "bbbctl", f))
        : [];
  let file: z.infer<typeof fileSchema> = {};
  for (const path of candidates) {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (e: unknown) {
      if ((e as { code?: unknown }).code === "ENOENT" && !flags.config && !env.BBBCTL_CONFIG) continue;
      throw new Error(`cannot read config file ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const parsed = fileSchema.safeParse(path.endsWith(".json") ? JSON.parse(text) : parseYaml(text));
    if (!parsed.success)
      throw new Error(
        `config file ${path}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    file = parsed.data;
    break;
  }
  const portText = flags.port ?? env.BBB_CMD_PORT;
  const port = portText !== undefined && portText !== "" ? Number(portText) : (file.port ?? DEFAULT_PORTS.cmd);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid port: ${portText}`);
  const pick = (flag: string | undefined, envName: string, fromFile: string | undefined) =>
    flag ?? (env[envName] || undefined) ?? fromFile ?? null;
  return {
    host: pick(flags.host, "BBB_HOST", file.host) ?? "127.0.0.1",
    port,
    user: pick(flags.user, "BBB_USER", file.user),
    password: pick(flags.password, "BBB_PASSWORD", file.password),
    token: pick(undefined, "BBB_TOKEN", file.token),
    tls: tlsOf(env, file),
  };
}
