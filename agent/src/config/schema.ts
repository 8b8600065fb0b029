import { z } from "zod";
import {
  AGENT_KEEPALIVE_S,
  DEFAULT_PORTS,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_NETWORK_CONFIRM_MS,
  DEFAULT_TOPIC_ROOT,
  boardIdSchema,
  unitNameSchema,
} from "@bbb/shared";

export const netBackendNames = ["auto", "connman", "networkd", "ifupdown", "ip"] as const;
export type NetBackendName = (typeof netBackendNames)[number];

const brokerUrlSchema = z
  .string()
  .refine((s) => /^(mqtts?|wss?|tcp|tls):\/\/[^\s]+$/.test(s), "broker URL: mqtt://, mqtts://, ws:// or wss://");

/**
 * The agent's configuration file (/etc/bbb-agent/config.json) after env overrides
 * (docs/configuration.md: env wins over the file).
 */
export const agentConfigSchema = z
  .object({
    /** Default: eth0's MAC, lower-case hex without separators (docs/protocol.md §"Identifiers"). */
    boardId: boardIdSchema.optional(),
    /** Tried in turn on every reconnect. */
    mqttUrls: z.array(brokerUrlSchema).min(1).max(16).default(["mqtt://127.0.0.1:1883"]),
    token: z.string().min(1).max(512).optional(),
    /** PEM CA file for mqtts:// / wss:// brokers with a private CA. */
    caFile: z.string().optional(),
    heartbeatMs: z.number().int().min(100).max(3_600_000).default(DEFAULT_HEARTBEAT_MS),
    keepaliveS: z.number().int().min(1).max(600).default(AGENT_KEEPALIVE_S),
    rootPrefix: z.string().min(1).default("/"),
    topicRoot: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, "topic root: 1-32 of A-Z a-z 0-9 _ -")
      .default(DEFAULT_TOPIC_ROOT),
    /** Configured type, reported when neither apply-node nor /opt/device.json says otherwise. */
    type: z.string().min(1).max(64).optional(),
    /** systemd units operators may restart/stop; their state goes into the heartbeat. */
    services: z.array(unitNameSchema).max(32).default([]),
    servicePollMs: z.number().int().min(500).max(600_000).default(5000),
    /** How often the clock's sync state is asked (it may run chronyc / ntpq / timedatectl). */
    timeSyncPollMs: z.number().int().min(1000).max(3_600_000).default(30_000),
    /** How often the inventory is read; it is published only when it changed. */
    inventoryPollMs: z.number().int().min(1000).max(86_400_000).default(60_000),
    /** Host path (not under the root prefix) for dedup records and adopted node settings. */
    stateDir: z.string().min(1).default("/var/lib/bbb-agent"),
    networkConfirmMs: z.number().int().min(1000).max(3_600_000).default(DEFAULT_NETWORK_CONFIRM_MS),
    netBackend: z.enum(netBackendNames).default("auto"),
    netInterface: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,15}$/, "interface name")
      .default("eth0"),
    /** SFTP project store for sync-project (login: board id + token); host defaults to the first broker's. */
    sftpHost: z.string().min(1).max(253).optional(),
    sftpPort: z.number().int().min(1).max(65535).default(DEFAULT_PORTS.sftp),
    /** "SHA256:…" of the server's host key, as the manager logs it; checked when set. */
    sftpHostKeyFingerprint: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, "fingerprint: SHA256:<43 base64 chars>")
      .optional(),
    /** Where the type's project is installed (system path under the root prefix). */
    projectDir: z
      .string()
      .regex(/^\/[^\0]*[^/]$/, "projectDir: an absolute path")
      .default("/opt/bbb-project"),
    /** Install the project's rc.local to /etc/rc.local on sync. */
    manageRcLocal: z.boolean().default(true),
    /**
     * Channel Access for the IOC checks (docs/epics.md): where searches go (`host` or
     * `host:port`, as EPICS_CA_ADDR_LIST), whether the interfaces' broadcast addresses are added
     * (EPICS_CA_AUTO_ADDR_LIST), the servers' default port (EPICS_CA_SERVER_PORT).
     */
    caAddrList: z
      .array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/, "CA address: IPv4 or IPv4:port"))
      .max(32)
      .default([]),
    caAutoAddrList: z.boolean().default(true),
    caServerPort: z.number().int().min(1).max(65535).default(5064),
    /** How often IOC services and watched PVs are checked. */
    iocPollMs: z.number().int().min(500).max(600_000).default(5000),
    logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  })
  .strict();

export type AgentConfigInput = z.input<typeof agentConfigSchema>;
export type AgentConfig = z.output<typeof agentConfigSchema>;
/** Config with the board id resolved (from the file, env or eth0's MAC). */
export type ResolvedAgentConfig = AgentConfig & { boardId: string };
