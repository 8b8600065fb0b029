import { createTopics, decodePayload, defaultSectors, hostsListParamsSchema, managerRequestSchema, MAX_REQUEST_BYTES, parseTopic, type HostView } from "@bbb/shared";
import type { Aedes } from "aedes";

/**
 * For the measurement on a bare Aedes broker: answers `hosts.list` pages from the same host
 * views that sit in the retained registry and `sectors.list` with the default sector table, in the
 * manager's request/response format, and MGR_E_FORBIDDEN to everything else (the role probes then
 * settle on viewer). The broker has no identity stamping: replies go to `username`'s reply topic
 * the request names, else to the publishing client's id.
 */
export function answerHostsList(broker: Aedes, hosts: () => readonly HostView[], username: string, root = "bbb"): void {
  const topics = createTopics(root);
  broker.on("publish", (packet, client) => {
    if (!client) return;
    const t = parseTopic(packet.topic, root);
    if (t?.kind !== "manager-request") return;
    const req = decodePayload(managerRequestSchema, packet.payload as Buffer, MAX_REQUEST_BYTES);
    if (!req.ok) return;
    let body: unknown;
    const p = t.method === "hosts.list" ? hostsListParamsSchema.safeParse(req.value.params ?? {}) : null;
    if (t.method === "sectors.list") {
      body = { transaction: req.value.transaction, status: "ok", data: { items: defaultSectors() } };
    } else if (p?.success) {
      const all = hosts();
      body = { transaction: req.value.transaction, status: "ok", data: { total: all.length, offset: p.data.offset, items: all.slice(p.data.offset, p.data.offset + p.data.limit) } };
    } else {
      body = { transaction: req.value.transaction, status: "error", error: { code: "MGR_E_FORBIDDEN", message: `${t.method} is not served here` } };
    }
    broker.publish({ cmd: "publish", topic: req.value.replyTo ? topics.managerReply(username, req.value.replyTo) : topics.managerResponse(client.id), payload: Buffer.from(JSON.stringify(body)), qos: 0, retain: false, dup: false }, () => undefined);
  });
}
