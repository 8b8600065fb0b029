import { connect } from "node:net";

/**
 * The least a Node process can spend per heartbeat on this machine: one TCP connection, one
 * 1 s timer that serialises a heartbeat-sized object and writes it as one hand-encoded retained
 * QoS 0 PUBLISH (MQTT 3.1.1 §3.3), nothing else: no file reads, no keepalive pings, no MQTT
 * library, no module but `net`. Figure 5 runs it beside the agent, with the unit's node flags,
 * as the floor under the agent's CPU and RSS. Env: BBB_MQTT_URL, FLOOR_ID, BBB_TOKEN.
 */
const url = new URL(process.env.BBB_MQTT_URL ?? "mqtt://127.0.0.1:1883");
const id = process.env.FLOOR_ID ?? "floor";
const token = process.env.BBB_TOKEN ?? "";

const str = (s) => {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
};
const remaining = (n) => {
  const out = [];
  do {
    const d = n % 128;
    n = Math.floor(n / 128);
    out.push(n > 0 ? d | 0x80 : d);
  } while (n > 0);
  return Buffer.from(out);
};
const packet = (first, body) => Buffer.concat([Buffer.from([first]), remaining(body.length), body]);
// CONNECT (§3.1): protocol MQTT level 4, username + password + clean session, keepalive 2 s.
const connectPacket = packet(0x10, Buffer.concat([str("MQTT"), Buffer.from([4, 0xc2, 0, 2]), str(id), str(id), str(token)]));
const topic = str(`bbb/${id}/heartbeat`);

let seq = 0;
const sock = connect({ host: url.hostname, port: Number(url.port) });
sock.once("data", (d) => {
  // CONNACK (§3.2): 0x20 0x02 <flags> <return code>.
  if (d[0] !== 0x20 || d[3] !== 0) process.exit(1);
  setInterval(() => {
    const hb = { v: 1, id, session: "floor", seq: seq++, ts: Date.now(), hostname: `floor-${id}`, ip: "10.128.1.2", type: "mbtemp", uptime: Math.round(process.uptime()), mac: "a0:f6:fd:00:00:01", ipMode: "manual", netmask: "255.255.255.0", gateway: "10.128.1.1", nameservers: ["10.0.0.71"], details: "MBTemps connected [1, 2]", load1: 0.12, memUsedPct: 31.5, diskUsedPct: 42.1, tempC: 47.2, agentVersion: "0.1.0", services: { "bbb-function": "active" } };
    sock.write(packet(0x31, Buffer.concat([topic, Buffer.from(JSON.stringify(hb), "utf8")])));
  }, 1000);
});
sock.on("error", () => process.exit(1));
sock.on("close", () => process.exit(0));
sock.write(connectPacket);
process.on("SIGTERM", () => sock.end(() => process.exit(0)));
