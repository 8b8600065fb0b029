import { z } from "zod";
import {
  DEFAULT_FLAP_MAX_CHANGES,
  DEFAULT_FLAP_WINDOW_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_PORTS,
  DEFAULT_REBOOT_GRACE_MS,
  DEFAULT_TOPIC_ROOT,
  alarmMetrics,
  thresholdSchema,
} from "@bbb/shared";

const port = z.coerce.number().int().min(0).max(65535);

/** A list from the config file, or one env string split on `sep` (empty items dropped). */
const listOf = (sep: string, item: z.ZodString) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(sep)).map((s) => s.trim()).filter((s) => s !== ""))
    .pipe(z.array(item).max(64));

/** What one process of the server runs (docker/entrypoint.mjs picks the program by the same name). */
export const SERVER_ROLES = ["all-in-one", "manager", "broker"] as const;
export type ServerRole = (typeof SERVER_ROLES)[number];

/**
 * The manager's settings (docs/configuration.md); env wins over the config file.
 * Every `.describe()` text ends up in docs/configuration.md (scripts/gen-config-docs.mjs).
 */
export const configSchema = z
  .object({
    role: z
      .enum(SERVER_ROLES)
      .default("all-in-one")
      .describe(
        "What this process runs. `all-in-one`: embedded broker + manager + dashboard. `manager`: no embedded broker, " +
          "`mqttUrl` is required and `/mqtt` WebSocket upgrades on the HTTP port go to `mqttWsUrl`. " +
          "`broker`: one broker replica (the image's entrypoint runs broker/dist/main.js; the manager program refuses this role).",
      ),
    mqttPort: port.default(DEFAULT_PORTS.mqtt).describe("MQTT over TCP of the embedded broker; 0 picks a free port."),
    mqttsPort: port
      .default(DEFAULT_PORTS.mqtts)
      .describe("MQTT over TLS of the embedded broker; used only when `tls` is configured."),
    httpPort: port
      .default(DEFAULT_PORTS.http)
      .describe("HTTP: dashboard, REST API under /api, MQTT over WebSocket at /mqtt, /healthz, /readyz, /metrics."),
    cmdPort: port.default(DEFAULT_PORTS.cmd).describe("TCP command socket (JSON-RPC 2.0, one object per line)."),
    sftpPort: port.default(DEFAULT_PORTS.sftp).describe("SFTP server of the read-only project store."),
    bind: z.string().min(1).default("0.0.0.0").describe("Listen address of every port."),
    dataDir: z
      .string()
      .min(1)
      .default("./data")
      .describe("Data directory: SQLite file, users, fleet secret, host key, webhooks, projects, backups."),
    topicRoot: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/)
      .default(DEFAULT_TOPIC_ROOT)
      .describe("First level of every MQTT topic."),
    fleetSecret: z
      .string()
      .min(16)
      .optional()
      .describe(
        "Secret the board tokens are derived from (HMAC-SHA256). Default: generated into the data dir on first start. Secret.",
      ),
    adminPassword: z
      .string()
      .min(8)
      .optional()
      .describe("Password of the built-in `admin` user. Default: generated on first start and printed once. Secret."),
    mqttUrl: z
      .string()
      .url()
      .optional()
      .describe("An external broker or broker tier (mqtt://, mqtts://, ws://): then no embedded broker is started."),
    mqttWsUrl: z
      .string()
      .url()
      .regex(/^wss?:\/\//, "a ws:// or wss:// URL")
      .optional()
      .describe(
        "Role `manager`: where `/mqtt` WebSocket upgrades on the HTTP port are forwarded (e.g. ws://broker:4850/mqtt). " +
          "Unset, with an external `mqttUrl`: `/mqtt` carries each WebSocket's bytes to that broker's TCP port " +
          "(docs/deployment.md \"An existing MQTT broker\").",
      ),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, "a redis:// or rediss:// URL")
      .optional()
      .describe(
        "Cluster mode of the embedded broker: share subscriptions, retained messages and wills with other brokers through Redis. Secret.",
      ),
    legacyBbbreadRedis: z
      .string()
      .regex(/^rediss?:\/\//, "a redis:// or rediss:// URL")
      .optional()
      .describe(
        "bbbread bridge: the central Redis the boards still running bbbread write to (`redis://host:6379/0`); unset: bridge off. See docs/migration.md.",
      ),
    legacyBbbreadMode: z
      .enum(["beside", "replace"])
      .default("beside")
      .describe(
        "`beside`: follow bbbread's Redis without touching the boards' keys (the old monitor keeps running). `replace`: also do the old monitor's 20 s loop (state_string, ping_time, logs, DisconnectedWarn) so it can be switched off.",
      ),
    legacyUdpPort: port
      .optional()
      .describe(
        "bbb-daemon bridge: UDP port of the boards' pings (they send to 9876); unset: bridge off. 0 picks a free port.",
      ),
    legacyDaemonCommandPort: port
      .default(9877)
      .describe("TCP port of bbb-daemon on the boards, where the bridge sends their commands."),
    trustProxy: z
      .union([z.boolean(), z.stringbool()])
      .default(false)
      .describe(
        "Embedded broker behind a proxy or the Swarm ingress: take the client address from a PROXY protocol v1/v2 header " +
          "(MQTT and MQTTS ports) and from X-Forwarded-For / X-Real-IP (MQTT over WebSocket), for the log, the audit " +
          "trail and the per-address login throttle. Turn on only when every connection comes through a proxy that " +
          "sets them: otherwise a client can claim any address. Default false (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`).",
      ),
    logLevel: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info")
      .describe("Level of the JSON log lines on stdout."),
    logFormat: z
      .enum(["auto", "json", "pretty"])
      .default("auto")
      .describe(
        "Log lines on stdout: `json` (one object per line, for collectors), `pretty` (for a person), or `auto`: pretty when stdout is a terminal, JSON otherwise.",
      ),
    forgetLostAfterHours: z.coerce
      .number()
      .int()
      .min(0)
      .max(87_600)
      .default(0)
      .describe(
        "Boards `lost` for longer than this many hours are forgotten automatically, as `hosts.remove` does (registry entry and retained topics go, history stays). 0 (the default): never.",
      ),
    heartbeatMs: z.coerce
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(DEFAULT_HEARTBEAT_MS)
      .describe("Heartbeat period the boards use; a board is lost after 3 silent periods."),
    projectRefreshS: z.coerce
      .number()
      .int()
      .min(10)
      .max(86_400)
      .default(300)
      .describe("Period in seconds of the timer refresh of every type's project (git fetch / folder copy)."),
    rebootGraceMs: z.coerce
      .number()
      .int()
      .min(100)
      .default(DEFAULT_REBOOT_GRACE_MS)
      .describe("How long a board stays `rebooting` after an accepted reboot / apply-node."),
    flapMaxChanges: z.coerce
      .number()
      .int()
      .min(1)
      .default(DEFAULT_FLAP_MAX_CHANGES)
      .describe("A board changing state more often than this within `flapWindowMs` is flagged flapping."),
    flapWindowMs: z.coerce
      .number()
      .int()
      .min(1000)
      .default(DEFAULT_FLAP_WINDOW_MS)
      .describe("Window of the flapping flag."),
    healthHistory: z
      .union([z.boolean(), z.stringbool()])
      .default(true)
      .describe(
        "Keep per-board health series (load, temperature, memory, disk, uptime, clock offset) for plots and `hosts.metrics`: " +
          '1-minute means for 48 h and 15-minute means for 90 days in `health.sqlite` of the data dir (docs/protocol.md §"Health history").',
      ),
    healthHistoryMaxMb: z.coerce
      .number()
      .int()
      .min(1)
      .default(8192)
      .describe(
        'Size bound of the health series in MiB: beyond it the oldest points are dropped first (about 51 KiB per board per day, BENCHMARKS.md §"Health history").',
      ),
    thresholds: z
      .partialRecord(z.enum(alarmMetrics), thresholdSchema)
      .default({})
      .describe(
        'Fleet-wide alarm thresholds overriding the built-in defaults per metric (`{tempC: {warn, crit, hysteresis}}`); a type\'s own `thresholds` override these (docs/protocol.md §"Alarms"). Config file only.',
      ),
    historyRetentionDays: z.coerce
      .number()
      .min(0.001)
      .default(90)
      .describe("History (state changes, commands, results, edits) and bulk runs older than this are pruned."),
    volatileRefreshMs: z.coerce
      .number()
      .int()
      .min(1000)
      .default(5000)
      .describe(
        "How often a board's volatile heartbeat fields (seq, uptime, load) go out on registry/volatile when nothing else changed.",
      ),
    restartGraceMs: z.coerce
      .number()
      .int()
      .min(0)
      .default(60_000)
      .describe(
        "After a restart, how long a board that was alive before it is kept in its last state (problem awaiting-reconnect) before it is lost for not reconnecting.",
      ),
    viewRefreshMs: z.coerce
      .number()
      .int()
      .min(1000)
      .default(60_000)
      .describe("Refresh of a board's retained registry/hosts view when only volatile heartbeat fields changed."),
    dashboardDir: z
      .string()
      .optional()
      .describe("Folder of the built dashboard. Default: dashboard/dist of this installation."),
    projectRoots: listOf(":", z.string().startsWith("/", "an absolute folder"))
      .default([])
      .describe(
        "Folders a type's local project source (or a git repository given by path) may lie under, separated by `:` " +
          "in the environment. Empty: local sources are refused. The data directory is refused whatever this says.",
      ),
    gitHosts: listOf(",", z.string().regex(/^(\*|[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])$/, "a host name, [IPv6] or *"))
      .default([])
      .describe(
        "Hosts a type's remote git source (https, http, ssh, git, user@host:path) may name, separated by `,` in the " +
          "environment; `*` allows any host. Empty: remote git sources are refused.",
      ),
    allowedOrigins: listOf(",", z.string().regex(/^https?:\/\/[^/\s]+$/, "an origin: scheme://host[:port]"))
      .default([])
      .describe(
        "Browser origins besides the server's own that may change state through /api (a dashboard behind a proxy " +
          "under another name), separated by `,` in the environment. Cross-site requests from other origins are refused.",
      ),
    metricsToken: z
      .string()
      .min(16)
      .optional()
      .describe(
        "When set, GET /metrics requires `Authorization: Bearer <token>` (or Basic with the token as password). " +
          "Unset: /metrics is open, like /healthz. Secret.",
      ),
    backupKeep: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe("Backups made by `server.backup` kept in <dataDir>/backups (older ones are deleted)."),
    shutdownTimeoutMs: z.coerce
      .number()
      .int()
      .min(1000)
      .max(120_000)
      .default(10_000)
      .describe("On SIGTERM / SIGINT: longest clean stop before the process exits anyway (code 1, with a log line)."),
    tls: z
      .object({
        cert: z.string().min(1).describe("Server certificate (PEM file): MQTTS, WSS and HTTPS."),
        key: z.string().min(1).describe("Key of the server certificate (PEM file)."),
        ca: z.string().min(1).optional().describe("CA bundle (PEM file), for client certificates."),
      })
      .strict()
      .optional()
      .describe("PEM files enabling MQTTS on `mqttsPort`."),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.role === "manager" && c.mqttUrl === undefined)
      ctx.addIssue({ code: "custom", path: ["mqttUrl"], message: "role manager needs mqttUrl (BBB_MQTT_URL)" });
  });
export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Env variable of each setting; a dotted key names a nested setting (`tls.cert`). */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  BBB_ROLE: "role",
  BBB_MQTT_PORT: "mqttPort",
  BBB_MQTTS_PORT: "mqttsPort",
  BBB_HTTP_PORT: "httpPort",
  BBB_CMD_PORT: "cmdPort",
  BBB_SFTP_PORT: "sftpPort",
  BBB_BIND: "bind",
  BBB_DATA_DIR: "dataDir",
  BBB_TOPIC_ROOT: "topicRoot",
  BBB_FLEET_SECRET: "fleetSecret",
  BBB_ADMIN_PASSWORD: "adminPassword",
  BBB_MQTT_URL: "mqttUrl",
  BBB_MQTT_WS_URL: "mqttWsUrl",
  BBB_REDIS_URL: "redisUrl",
  BBB_LEGACY_BBBREAD_REDIS: "legacyBbbreadRedis",
  BBB_LEGACY_BBBREAD_MODE: "legacyBbbreadMode",
  BBB_LEGACY_UDP_PORT: "legacyUdpPort",
  BBB_LEGACY_DAEMON_COMMAND_PORT: "legacyDaemonCommandPort",
  BBB_TRUST_PROXY: "trustProxy",
  BBB_LOG_LEVEL: "logLevel",
  BBB_LOG_FORMAT: "logFormat",
  BBB_FORGET_LOST_AFTER_H: "forgetLostAfterHours",
  BBB_HEARTBEAT_MS: "heartbeatMs",
  BBB_REBOOT_GRACE_MS: "rebootGraceMs",
  BBB_PROJECT_REFRESH_S: "projectRefreshS",
  BBB_FLAP_MAX_CHANGES: "flapMaxChanges",
  BBB_FLAP_WINDOW_MS: "flapWindowMs",
  BBB_HISTORY_RETENTION_DAYS: "historyRetentionDays",
  BBB_HEALTH_HISTORY: "healthHistory",
  BBB_HEALTH_HISTORY_MAX_MB: "healthHistoryMaxMb",
  BBB_VOLATILE_REFRESH_MS: "volatileRefreshMs",
  BBB_VIEW_REFRESH_MS: "viewRefreshMs",
  BBB_RESTART_GRACE_MS: "restartGraceMs",
  BBB_DASHBOARD_DIR: "dashboardDir",
  BBB_METRICS_TOKEN: "metricsToken",
  BBB_PROJECT_ROOTS: "projectRoots",
  BBB_GIT_HOSTS: "gitHosts",
  BBB_ALLOWED_ORIGINS: "allowedOrigins",
  BBB_BACKUP_KEEP: "backupKeep",
  BBB_SHUTDOWN_TIMEOUT_MS: "shutdownTimeoutMs",
  BBB_TLS_CERT: "tls.cert",
  BBB_TLS_KEY: "tls.key",
  BBB_TLS_CA: "tls.ca",
};

/**
 * Secrets that may also come from a file named by `<NAME>_FILE` (Docker / Swarm secrets), used
 * when `<NAME>` itself is not set; one trailing newline is removed (docker/entrypoint.mjs does the same).
 */
export const SECRET_FILE_ENV: readonly string[] = [
  "BBB_FLEET_SECRET",
  "BBB_ADMIN_PASSWORD",
  "BBB_REDIS_URL",
  "BBB_METRICS_TOKEN",
];
