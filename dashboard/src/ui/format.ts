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

export function formatTime(ts: number | null): string {
  if (ts === null || ts === 0) return "—";
  return new Date(ts).toLocaleTimeString([], { hour12: false });
}

export function formatDateTime(ts: number | null): string {
  if (ts === null || ts === 0) return "—";
  const d = new Date(ts);
  return `${d.toLocaleDateString()} ${d.toLocaleTimeString([], { hour12: false })}`;
}

export function formatNumber(n: number | null, digits = 1, unit = ""): string {
  return n === null || !Number.isFinite(n) ? "—" : `${n.toFixed(digits)}${unit}`;
}
