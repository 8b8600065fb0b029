import { decodePayload, iocsPayloadSchema, MAX_IOCS_BYTES, type IocsPayload } from "@bbb/shared";
import { onScopeDispose, shallowRef, type ShallowRef } from "vue";
import type { Session } from "../session/create-session.js";

/**
 * The retained IOC report of one board (`<root>/<boardId>/iocs`, docs/epics.md), subscribed
 * while the calling component lives. Null until one arrives (or when the topic is cleared).
 */
export function useBoardIocs(session: Pick<Session, "conn" | "topics">, boardId: string): ShallowRef<IocsPayload | null> {
  const report = shallowRef<IocsPayload | null>(null);
  const topic = session.topics.iocs(boardId);
  const off = session.conn.onMessage((t, payload) => {
    if (t !== topic) return;
    if (payload.byteLength === 0) return void (report.value = null);
    const d = decodePayload(iocsPayloadSchema, payload, MAX_IOCS_BYTES);
    // A report that does not parse leaves the last good one on screen.
    if (d.ok) report.value = d.value;
  });
  session.conn.subscribe(topic, 1);
  onScopeDispose(() => {
    off();
    session.conn.unsubscribe(topic);
  });
  return report;
}
