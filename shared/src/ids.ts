import { z } from "zod";

/** Top-level topic segments under the root that belong to the server, never to a board. */
export const RESERVED_IDS = ["registry", "manager"] as const;

/** The syntax of a board id (boardIdSchema; the heartbeat's fast check reads the same). */
export const BOARD_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * A board id: by default eth0's MAC in lower-case hex without separators; configurable, so
 * any lower-case topic-safe token is allowed. It is an MQTT topic level, client id and username.
 */
export const boardIdSchema = z
  .string()
  .regex(BOARD_ID_PATTERN, "board id: 1-64 of a-z 0-9 _ -, starting with a letter or digit")
  .refine((s) => !(RESERVED_IDS as readonly string[]).includes(s), "board id is reserved");
export type BoardId = z.infer<typeof boardIdSchema>;

/** Session id an agent picks at every start (birth, will and heartbeats carry it). */
export const SESSION_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const sessionSchema = z.string().regex(SESSION_PATTERN, "session: 1-64 of A-Z a-z 0-9 _ -");

/** Request id of a command: also the last level of its result topic. */
export const requestIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "request id: 1-64 of A-Z a-z 0-9 _ . : -");

/** RFC 1123 host name: dot-separated labels of letters, digits and '-', not starting or ending with '-'. */
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
export function isHostname(s: string): boolean {
  return s.length > 0 && s.length <= 253 && s.split(".").every((l) => LABEL.test(l));
}

/** EPICS device names use ':'; boards store them with '--'. */
export function epicsToHostname(name: string): string {
  return name.replaceAll(":", "--");
}
export function hostnameToEpics(hostname: string): string {
  return hostname.replaceAll("--", ":");
}

/**
 * Which RFC 1123 rule a hostname breaks, in words an operator can act on (the EPICS form's ':'
 * is shown as typed), or null when it is valid.
 */
export function hostnameProblem(input: string): string | null {
  const s = epicsToHostname(input);
  if (s.length === 0) return "hostname: empty";
  if (s.length > 253) return `hostname: ${s.length} characters, at most 253`;
  for (const label of s.split(".")) {
    const shown = hostnameToEpics(label);
    if (label.length === 0) return "hostname: empty part between dots";
    if (label.length > 63) return `hostname: part "${shown.slice(0, 20)}…" has ${label.length} characters, at most 63 between dots`;
    if (label.startsWith("-")) return `hostname: "${shown}" starts with a dash`;
    if (label.endsWith("-")) return `hostname: "${shown}" ends with a dash`;
    const bad = /[^A-Za-z0-9-]/.exec(label);
    if (bad) return `hostname: character "${bad[0]}" not allowed (letters, digits, '-', and ':' in EPICS names)`;
  }
  return null;
}

/** Accepts the hostname form or the EPICS form (converted), and yields the hostname form. */
export const hostnameSchema = z
  .string()
  .max(253, "hostname: at most 253 characters")
  .superRefine((v, ctx) => {
    const why = hostnameProblem(v);
    if (why) ctx.addIssue({ code: "custom", message: why });
  })
  .transform(epicsToHostname);

/** systemd unit names an operator may name (the agent also checks its allow-list). */
export const unitNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9:_.@-]{0,127}$/, "unit name: letters, digits and : _ . @ -");

/** Registry names (types, sectors, users): short, URL- and topic-safe. */
export const nameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "name: 1-64 of A-Z a-z 0-9 _ . - starting with a letter or digit");
