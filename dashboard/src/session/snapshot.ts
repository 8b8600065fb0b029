import type { HostView } from "@bbb/shared";
import type { ManagerApi } from "../api/manager-api.js";

/**
 * Hosts per hosts.list page. The broker closes any connection that sends a packet over
 * MAX_PACKET_BYTES (256 KiB), the manager's included, and a host view is about 0.6-1.5 KiB:
 * 100 per page stays far below.
 */
export const SNAPSHOT_PAGE = 100;

/**
 * The first full picture through hosts.list pages, a few in flight at once. Aedes streams
 * retained messages one socket write at a time (3,000-4,500 a second measured here), so
 * 10,000 retained registry topics alone take 3-5 s; the pages bring the same views in well
 * under 2 s, and the reducer keeps whichever copy of a board is newer.
 */
export async function loadSnapshot(api: Pick<ManagerApi, "hostsPage">, apply: (views: HostView[]) => void, concurrency = 4): Promise<number> {
  const first = await api.hostsPage(0, SNAPSHOT_PAGE);
  apply(first.items);
  const offsets: number[] = [];
  for (let o = SNAPSHOT_PAGE; o < first.total; o += SNAPSHOT_PAGE) offsets.push(o);
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const offset = offsets[next++] ?? 0;
      apply((await api.hostsPage(offset, SNAPSHOT_PAGE)).items);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, offsets.length) }, worker));
  return first.total;
}

/**
 * Boards to forget after a reconnect: not in the fresh list, and not updated by any message
 * since the reconnect began (their entry is still the very object it was then).
 */
export function goneSince(before: ReadonlyMap<string, object>, now: ReadonlyMap<string, object>, listed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const [id, view] of now) if (!listed.has(id) && before.get(id) === view) out.push(id);
  return out;
}
