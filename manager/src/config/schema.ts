import { z } from "zod";
import {
  DEFAULT_FLAP_MAX_CHANGES,
  DEFAULT_FLAP_WINDOW_MS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_PORTS,
  DEFAULT_REBOOT_GRACE_MS,
  DEFAULT_TOPIC_ROOT,
} from "@bbb/shared";

const port = z.coerce.number().int().min(0).max(65535);

/** The manager's settings (DESIGN.md "Ports and settings"); env wins over the config file. */
export const configSchema = z
  .object({
    mqttPort: port.default(DEFAULT_PORTS.mqtt),
    /** MQTTS port, used only when tls is configured. */
    mqttsPort: port.default(DEFAULT_PORTS.mqtts),
    httpPort: port.default(DEFAULT_PORTS.http),
    cmdPort: port.default(DEFAULT_PORTS.cmd),
    sftpPort: port.default(DEFAULT_PORTS.sftp),
    bind: z.string().min(1).default("0.0.0.0"),
    dataDir: z.string().min(1).default("./data"),
    topicRoot: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/)
      .default(DEFAULT_TOPIC_ROOT),
    fleetSecret: z.string().min(16).optional(),
    adminPassword: z.string().min(8).optional(),
    /** An external broker (mqtt://, mqtts://, ws://): then no embedded broker is started. */
    mqttUrl: z.string().url().optional(),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    heartbeatMs: z.coerce.number().int().min(100).max(600_000).default(DEFAULT_HEARTBEAT_MS),
    rebootGraceMs: z.coerce.number().int().min(100).default(DEFAULT_REBOOT_GRACE_MS),
    flapMaxChanges: z.coerce.number().int().min(1).default(DEFAULT_FLAP_MAX_CHANGES),
    flapWindowMs: z.coerce.number().int().min(1000).default(DEFAULT_FLAP_WINDOW_MS),
    historyRetentionDays: z.coerce.number().min(0.001).default(90),
    /** Refresh of a host view when only volatile heartbeat fields changed (seq, uptime, load). */
    volatileRefreshMs: z.coerce.number().int().min(1000).default(5000),
    /** Folder of the built dashboard (dashboard/dist). */
    dashboardDir: z.string().optional(),
    /** PEM files (paths) enabling MQTTS on mqttsPort. */
    tls: z
      .object({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Env variable of each setting. */
export const ENV_KEYS: Readonly<Record<string, keyof Config>> = {
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
  BBB_LOG_LEVEL: "logLevel",
  BBB_HEARTBEAT_MS: "heartbeatMs",
  BBB_REBOOT_GRACE_MS: "rebootGraceMs",
  BBB_FLAP_MAX_CHANGES: "flapMaxChanges",
  BBB_FLAP_WINDOW_MS: "flapWindowMs",
  BBB_HISTORY_RETENTION_DAYS: "historyRetentionDays",
  BBB_VOLATILE_REFRESH_MS: "volatileRefreshMs",
  BBB_DASHBOARD_DIR: "dashboardDir",
};
