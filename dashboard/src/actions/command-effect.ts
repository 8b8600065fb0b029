import { DEFAULT_REBOOT_GRACE_MS, hostnameToEpics, type HostView } from "@bbb/shared";

/** What a board looked like when a command was sent: the effect is judged against it. */
export interface Baseline {
  session: string | null;
  uptime: number | null;
}

export type Effect = { status: "waiting" | "seen" | "not-seen"; text: string };

export function baselineOf(h: HostView | undefined): Baseline {
  return { session: h?.heartbeat?.session ?? null, uptime: h?.heartbeat?.uptime ?? null };
}

const secs = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/**
 * Whether a command did what it is for, from the board's own heartbeats rather than from its
 * result (docs/protocol.md §"Commands and results": a reboot is `accepted` before the board
 * goes down): a reboot is done when the board comes back with a new boot (another session, or
 * a lower uptime), a set-ip / set-hostname when the board reports the new value. Board clocks
 * may be off (clock-skew), so heartbeat times are never compared with this console's. Null for
 * actions whose result is their effect.
 */
export function commandEffect(
  action: string,
  args: unknown,
  sentAt: number,
  before: Baseline | undefined,
  h: HostView | undefined,
  now: number,
  graceMs = DEFAULT_REBOOT_GRACE_MS,
): Effect | null {
  const hb = h?.heartbeat ?? null;
  const late = now - sentAt > graceMs;
  if (action === "reboot" || action === "apply-node") {
    const newBoot = hb !== null && h !== undefined && (hb.session !== before?.session || (before.uptime !== null && hb.uptime < before.uptime));
    if (newBoot && h.state !== "rebooting" && h.state !== "offline" && h.state !== "lost") {
      return { status: "seen", text: `back after ${secs(Math.max(h.stateSince, sentAt) - sentAt)}` };
    }
    if (late) return { status: "not-seen", text: `reboot not seen within ${secs(graceMs)}` };
    return { status: "waiting", text: h?.state === "offline" || h?.state === "rebooting" ? `rebooting… ${secs(now - sentAt)}` : "waiting for the board to go down" };
  }
  const want = wanted(action, args);
  if (!want) return null;
  const actual = hb ? want.read(h as HostView) : null;
  if (actual === want.value) return { status: "seen", text: `board reports ${want.label} ${want.show}` };
  if (late) return { status: "not-seen", text: `board still reports ${want.label} ${actual ?? "nothing"}` };
  return { status: "waiting", text: `waiting for the board to report ${want.label} ${want.show}` };
}

function wanted(action: string, args: unknown): { label: string; value: string; show: string; read: (h: HostView) => string | null } | null {
  const a = (args ?? {}) as { ip?: string; mode?: string; hostname?: string };
  if (action === "set-ip" && a.mode === "manual" && a.ip) return { label: "IP", value: a.ip, show: a.ip, read: (h) => h.heartbeat?.ip ?? null };
  if (action === "set-hostname" && a.hostname) {
    return { label: "hostname", value: a.hostname, show: hostnameToEpics(a.hostname), read: (h) => h.heartbeat?.hostname ?? null };
  }
  return null;
}
