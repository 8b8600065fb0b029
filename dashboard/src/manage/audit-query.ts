import type { AuditListParams } from "@bbb/shared";

/** The audit view's filter form: what `audit.list` can filter on (docs/protocol.md "Audit trail"). */
export interface AuditFilter {
  username: string;
  method: string;
  /** A `datetime-local` value (local time), "" for no lower bound. */
  since: string;
}

export const emptyAuditFilter = (): AuditFilter => ({ username: "", method: "", since: "" });

/** `datetime-local` text as epoch ms; null when empty or not a date. */
export function parseLocalTime(text: string): number | null {
  if (text.trim() === "") return null;
  const ms = new Date(text).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** The parameters of one page: newest first, older pages start below `beforeId`. */
export function auditParams(f: AuditFilter, limit: number, beforeId?: number): AuditListParams {
  const since = parseLocalTime(f.since);
  return {
    limit,
    ...(f.username.trim() ? { username: f.username.trim() } : {}),
    ...(f.method.trim() ? { method: f.method.trim() } : {}),
    ...(since !== null ? { since } : {}),
    ...(beforeId !== undefined ? { beforeId } : {}),
  };
}

/**
 * Paging by id (rows are newest first): the stack holds the `beforeId` each page was opened
 * with, so "Newer" goes back without asking the server for ids above a row.
 */
export interface AuditPager {
  readonly starts: readonly (number | undefined)[];
}

export const firstPage = (): AuditPager => ({ starts: [undefined] });
export const currentStart = (p: AuditPager): number | undefined => p.starts[p.starts.length - 1];
export const pageNumber = (p: AuditPager): number => p.starts.length;

/** The next (older) page starts below the last row shown; none when the page was not full. */
export function olderPage(p: AuditPager, rows: readonly { id: number }[], limit: number): AuditPager | null {
  const last = rows[rows.length - 1];
  if (rows.length < limit || last === undefined) return null;
  return { starts: [...p.starts, last.id] };
}

export function newerPage(p: AuditPager): AuditPager | null {
  return p.starts.length > 1 ? { starts: p.starts.slice(0, -1) } : null;
}

/** Redacted parameters as stored (JSON text, maybe cut at 4 KB), pretty-printed when they parse. */
export function prettyParams(text: string | null): string {
  if (text === null) return "";
  try {
    return JSON.stringify(JSON.parse(text) as unknown, null, 2);
  } catch {
    return text;
  }
}
