/** Protocol constants of the contract (docs/protocol.md §"Ports", §"Topic tree"). */
export const PROTOCOL_VERSION = 1 as const;

export const DEFAULT_TOPIC_ROOT = "bbb";

export const DEFAULT_PORTS = {
  mqtt: 1883,
  mqtts: 8883,
  http: 4850,
  cmd: 6789,
  sftp: 1026,
} as const;

/** Path of MQTT over WebSocket on the HTTP port. */
export const MQTT_WS_PATH = "/mqtt";

/** Heartbeat period of an agent (docs/configuration.md `heartbeatMs`: every 1 s, configurable). */
export const DEFAULT_HEARTBEAT_MS = 1000;
/** A board with no heartbeat for this many periods is `lost`. */
export const LOST_AFTER_PERIODS = 3;
/**
 * Ceiling of an agent's reconnect back-off (full jitter, from 500 ms doubling up to this). After
 * the manager's own link to the broker comes back, a board silent for less than this is still
 * reconnecting, not lost (no false `lost` storm after a broker restart).
 */
export const RECONNECT_BACKOFF_CAP_MS = 30_000;
/**
 * Ceiling of an agent's back-off while the broker's address refuses the TCP connection outright
 * (nothing listening: a server restarting). Such a try costs the server nothing, and a board
 * whose back-off grew to 30 s while the server was down would come back that much later.
 */
export const REFUSED_BACKOFF_CAP_MS = 4_000;
/**
 * An agent gives up on a connection attempt whose TCP connection is not established this long
 * after the attempt began: nothing answers at that address (a host down, a dropped route, a
 * listen queue that stays full), so the next broker URL is tried after the back-off.
 */
export const AGENT_TCP_CONNECT_TIMEOUT_MS = 10_000;
/**
 * An agent gives up on a connection attempt without a CONNACK this long after the attempt began,
 * once its TCP connection is established. An established connection means the broker's host
 * answered and a broker is listening: a late CONNACK is a busy broker (after a restart with
 * thousands of boards, CONNECTs wait in the listen queue and behind each other), and an attempt
 * abandoned in the queue is work lost for the broker, which reaches the dead connection anyway,
 * and a doubled back-off for the board (BENCHMARKS.md §4b).
 */
export const AGENT_CONNECT_TIMEOUT_MS = 30_000;
/** MQTT keepalive of agents in seconds: Aedes drops a frozen client at 1.5 x keepalive. */
export const AGENT_KEEPALIVE_S = 2;
/** Grace period after an accepted reboot / apply-node before a silent board is `lost`. */
export const DEFAULT_REBOOT_GRACE_MS = 180_000;
/** A board changing state more than this many times within the window is flagged flapping. */
export const DEFAULT_FLAP_MAX_CHANGES = 6;
export const DEFAULT_FLAP_WINDOW_MS = 5 * 60_000;

/** Heartbeat JSON size limit (docs/protocol.md §"Heartbeat": <= 1 KiB). */
export const MAX_HEARTBEAT_BYTES = 1024;
/** Largest command payload an agent or the manager accepts. */
export const MAX_COMMAND_BYTES = 64 * 1024;
/** Largest MQTT packet the broker accepts, on TCP and WebSocket. */
export const MAX_PACKET_BYTES = 256 * 1024;
/** Captured command output kept in a result (the last bytes). */
export const MAX_RESULT_OUTPUT_BYTES = 64 * 1024;
/** Largest manager request payload. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** Coalescing of attribute-only registry updates per board (docs/protocol.md §"Registry states": <= 1/s). */
export const REGISTRY_COALESCE_MS = 1000;
/** Summary topic rate limit. */
export const SUMMARY_INTERVAL_MS = 1000;

/** Default time to live of a command: a command delivered later than this is `expired`. */
export const DEFAULT_COMMAND_TTL_MS = 60_000;
/** After set-ip / set-hostname the agent must reach the broker again within this time, or revert. */
export const DEFAULT_NETWORK_CONFIRM_MS = 60_000;
/** How long the manager tolerates silence after a network change was accepted (confirm + revert). */
export const NETWORK_CHANGE_QUIET_MS = DEFAULT_NETWORK_CONFIRM_MS + 30_000;

/** Username the manager uses on MQTT. Not a valid board id, so it cannot collide with one. */
export const MANAGER_USERNAME = "manager";
