import { z } from "zod";
import { boardIdSchema, hostnameSchema, nameSchema } from "../ids.js";
import { cidrSchema, ipv4Schema, manualIpSchema } from "../net.js";
import { heartbeatSchema } from "./heartbeat.js";
import { pvPrefixSchema } from "./actions.js";
import { iocDeclListSchema } from "./epics.js";
import { thresholdsSchema } from "./health.js";
import { inventorySchema } from "./inventory.js";

/** Computed state of a board or node (docs/protocol.md §"Registry states"). */
export const boardStates = ["online", "misconfigured", "unregistered", "rebooting", "offline", "lost", "missing", "spare"] as const;
export const boardStateSchema = z.enum(boardStates);
export type BoardState = z.infer<typeof boardStateSchema>;

export const colourSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, "colour: #rrggbb");

/** git URLs the project store accepts: no options smuggled in through a leading '-'. */
export const gitUrlSchema = z
  .string()
  .max(512)
  .regex(/^(https?:\/\/|ssh:\/\/|git:\/\/|file:\/\/\/|\/)[^\s]+$|^[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:[^\s]+$/, "git URL: http(s)://, ssh://, git://, file:///, an absolute path or user@host:path");
export const gitRefSchema = z.string().max(200).regex(/^(?!-)[A-Za-z0-9_./-]+$/, "git ref: branch, tag or commit");

export const projectSourceSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("git"), url: gitUrlSchema, ref: gitRefSchema.default("main") }).strict(),
  z.object({ kind: z.literal("local"), path: z.string().min(1).max(1024).startsWith("/") }).strict(),
]);
export type ProjectSource = z.infer<typeof projectSourceSchema>;

/** A relative path inside a project: no absolute paths, no '..'. */
export const projectPathSchema = z
  .string()
  .max(512)
  .refine((p) => !p.startsWith("/") && p.split("/").every((s) => s !== ".." && s !== ""), "relative path inside the project, without '..'");

/** Expected inventory of a type: each given field must match (overlays: every listed one applied). */
export const expectedInventorySchema = z
  .object({
    kernel: z.string().max(128).optional(),
    image: z.string().max(256).optional(),
    debian: z.string().max(64).optional(),
    overlays: z.array(z.string().max(128)).max(32).optional(),
    node: z.string().max(32).optional(),
    agent: z.string().max(32).optional(),
  })
  .strict();
export type ExpectedInventory = z.infer<typeof expectedInventorySchema>;

export const typeSchema = z
  .object({
    name: nameSchema,
    description: z.string().max(1024).default(""),
    colour: colourSchema.default("#607d8b"),
    source: projectSourceSchema.nullable().default(null),
    rcLocalPath: projectPathSchema.nullable().default(null),
    overlay: z.string().max(128).regex(/^[A-Za-z0-9_.-]*$/).nullable().default(null),
    pvPrefixPattern: z.string().max(128).nullable().default(null),
    /** The EPICS IOCs boards of this type run, and PVs to watch (docs/epics.md); absent: none. */
    iocs: iocDeclListSchema.optional(),
    /** Alarm thresholds this type overrides (docs/protocol.md §"Alarms"). */
    thresholds: thresholdsSchema.optional(),
    /** Inventory values a board of this type must report, else it is misconfigured (docs/protocol.md §"Inventory"). */
    expect: expectedInventorySchema.optional(),
    /** Filled by the project store: current revision and rc.local hash of the materialised project. */
    revision: z.string().max(64).nullable().optional(),
    rcLocalHash: z.string().max(64).nullable().optional(),
  })
  .strict();
export type BoardType = z.infer<typeof typeSchema>;

export const sectorSchema = z
  .object({ name: nameSchema, cidrs: z.array(cidrSchema).max(64) })
  .strict();
export type Sector = z.infer<typeof sectorSchema>;

/** A node: the registered configuration of one slot (an expected board). */
export const nodeSchema = z
  .object({
    hostname: hostnameSchema,
    ip: z.union([z.object({ mode: z.literal("dhcp") }).strict(), manualIpSchema]),
    nameservers: z.array(ipv4Schema).max(3).default([]),
    type: nameSchema,
    sector: nameSchema.nullable().default(null),
    pvPrefixes: z.array(pvPrefixSchema).max(16).default([]),
    boardId: boardIdSchema.nullable().default(null),
    notes: z.string().max(1024).default(""),
    /**
     * A spare slot: with no board it is `spare`, not `missing` (docs/protocol.md §"Registry
     * states"); binding a board to it (nodes.bind) puts it in service and clears the flag.
     */
    spare: z.boolean().default(false),
  })
  .strict();
export type Node = z.infer<typeof nodeSchema>;
export type NodeInput = z.input<typeof nodeSchema>;

/** One thing wrong with a board: a field that differs from its node, a conflict, a flag. */
export const problemSchema = z
  .object({
    code: z.enum([
      "mismatch",
      "conflict-hostname",
      "conflict-ip",
      // A live board reports the IP another node is registered with (docs/protocol.md §"Registry states").
      "conflict-node-ip",
      "conflict-pv-prefix",
      "duplicate-connection",
      "flapping",
      "clock-skew",
      "service-failed",
      "reboot-timeout",
      "unknown-type",
      // EPICS IOC health (docs/epics.md)
      "ioc-down",
      "pv-silent",
      "pv-stuck",
      "conflict-pv-served",
      "threshold",
      "time-unsynced",
      // Known before a restart of the manager, not reconnected yet (docs/protocol.md §"Liveness").
      "awaiting-reconnect",
    ]),
    /** Alarm severity of a `threshold` problem. */
    severity: z.enum(["warning", "critical"]).optional(),
    field: z.string().max(64).optional(),
    expected: z.string().max(512).optional(),
    actual: z.string().max(512).optional(),
    /** Other boards involved in a conflict (node hostnames for `conflict-node-ip`). */
    with: z.array(z.string().max(64)).max(64).optional(),
    message: z.string().max(512),
  })
  .strict();
export type Problem = z.infer<typeof problemSchema>;

/** Payload of `<root>/registry/hosts/<boardId>` (retained). `state` is a top-level string. */
/**
 * What speaks for a board: our agent, or a bridge following an older daemon the board still
 * runs (docs/legacy-protocols.md).
 */
export const agentKinds = ["bbb-agent", "bbbread", "bbb-daemon"] as const;
export const agentKindSchema = z.enum(agentKinds);
export type AgentKind = z.infer<typeof agentKindSchema>;

export const rebootCountsSchema = z
  .object({
    total: z.number().int().nonnegative(),
    last24h: z.number().int().nonnegative(),
    lastAt: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type RebootCounts = z.infer<typeof rebootCountsSchema>;

export const hostViewSchema = z
  .object({
    v: z.literal(1),
    id: z.string().max(64),
    state: boardStateSchema,
    stateSince: z.number().int().nonnegative(),
    lastSeen: z.number().int().nonnegative().nullable(),
    /**
     * When the manager made this view (its clock, ms). Orders two views of one board that reach a
     * subscriber by different paths (a hosts.list answer, the retained topic); older managers' views lack it.
     */
    at: z.number().int().nonnegative().optional(),
    problems: z.array(problemSchema),
    flapping: z.boolean().default(false),
    sector: z.string().max(64).nullable().default(null),
    session: z.string().max(64).nullable().default(null),
    node: nodeSchema.nullable(),
    heartbeat: heartbeatSchema.nullable(),
    /** What speaks for the board (docs/protocol.md "Agent kinds"); views of older managers lack it. */
    agent: agentKindSchema.default("bbb-agent"),
    /** Last inventory the board published (docs/protocol.md §"Inventory"); absent from older managers. */
    inventory: inventorySchema.nullable().optional(),
    /** Unexpected reboots: all recorded, the last 24 h, and when the last one was seen. */
    reboots: rebootCountsSchema.optional(),
  })
  .strict();
export type HostView = z.infer<typeof hostViewSchema>;

/**
 * Payload of `<root>/registry/volatile` (not retained): the boards whose heartbeat changed only in
 * volatile fields (seq, uptime, load …) since their last message, with their whole last
 * heartbeat. Applied on top of the retained `registry/hosts/<id>` view of the same board.
 */
export const hostsVolatileSchema = z
  .object({
    v: z.literal(1),
    ts: z.number().int().nonnegative(),
    hosts: z.array(
      z
        .object({
          id: z.string().max(64),
          lastSeen: z.number().int().nonnegative().nullable(),
          heartbeat: heartbeatSchema,
        })
        .strict(),
    ),
  })
  .strict();
export type HostsVolatile = z.infer<typeof hostsVolatileSchema>;

/** Payload of `<root>/registry/nodes/<hostname>`: a node and the board it is matched with, if any. */
export const nodeViewSchema = z
  .object({
    v: z.literal(1),
    node: nodeSchema,
    boardId: z.string().max(64).nullable(),
    state: boardStateSchema,
  })
  .strict();
export type NodeView = z.infer<typeof nodeViewSchema>;

const countsSchema = z.record(z.string(), z.number().int().nonnegative());
/** Payload of `<root>/registry/summary` (retained, <= 1/s). */
export const summarySchema = z
  .object({
    v: z.literal(1),
    ts: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    byState: countsSchema,
    bySector: z.record(z.string(), countsSchema),
    flapping: z.number().int().nonnegative(),
  })
  .strict();
export type Summary = z.infer<typeof summarySchema>;
