import mqtt, { type MqttClient } from "mqtt";
import { deriveBoardToken } from "@bbb/broker";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createOpsExtension } from "../src/ops/ops-extension.js";
import { FLEET_SECRET, topics } from "./helpers.js";

/** startTestServer options for the server as main.ts wires it: the front doors and ops. */
export const opsServer = () => ({ extensions: [createFrontExtension(), createOpsExtension()], settleMs: 200 });

export const beat = (id: string, session: string, seq: number, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1,
    id,
    session,
    seq,
    ts: Date.now(),
    hostname: `host-${id}`,
    ip: "10.128.20.5",
    type: "mbtemp",
    uptime: seq,
    ...over,
  });
export const status = (state: string, session: string) => JSON.stringify({ v: 1, state, session, ts: Date.now() });

/** A board speaking raw MQTT with its own token, a `lost` will and its birth published. */
export async function connectBoard(
  url: string,
  id: string,
  session: string,
  fleetSecret = FLEET_SECRET,
): Promise<MqttClient> {
  const c = mqtt.connect(url, {
    clientId: id,
    username: id,
    password: deriveBoardToken(fleetSecret, id),
    reconnectPeriod: 0,
    keepalive: 2,
    will: { topic: topics.status(id), payload: Buffer.from(status("lost", session)), qos: 1, retain: true },
  });
  await new Promise<void>((resolve, reject) => {
    c.once("connect", () => resolve());
    c.once("error", reject);
  });
  await c.publishAsync(topics.status(id), status("online", session), { qos: 1, retain: true });
  return c;
}

/** Parses the text exposition into `name{labels}` → value (labels as written). */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}
