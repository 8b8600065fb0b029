/** "3 s", "5 min", "2 h 10 min", "4 d 3 h": durations as operators read them. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function formatAgo(ts: number | null, now: number): string {
  if (ts === null || ts === 0) return "—";
  return `${formatDuration(now - ts)} ago`;
}

// One formatter each: toLocaleTimeString() builds a new one per call, which showed up in the
// per-frame profile of the change feed.
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

export function formatTime(ts: number | null): string {
  return ts === null || ts === 0 ? "—" : timeFmt.format(ts);
}

export function formatDateTime(ts: number | null): string {
  return ts === null || ts === 0 ? "—" : dateTimeFmt.format(ts);
}

export function formatNumber(n: number | null, digits = 1, unit = ""): string {
  return n === null || !Number.isFinite(n) ? "—" : `${n.toFixed(digits)}${unit}`;
}
