// A broker process for the network-namespace tests: started with `ip netns exec`, it listens
// inside its namespace, reports every status/heartbeat/result message as a JSON line on stdout
// and publishes the JSON lines it reads on stdin ({"topic","payload"}) as QoS 1 commands.
import * as net from "node:net";
import * as readline from "node:readline";
import { Aedes } from "aedes";

const [host = "0.0.0.0", port = "0"] = process.argv.slice(2);
const aedes = await Aedes.createBroker();
const server = net.createServer({ noDelay: true }, aedes.handle);
server.listen(Number(port), host, () => {
  process.stdout.write(JSON.stringify({ event: "listening", port: server.address().port }) + "\n");
});
aedes.on("publish", (packet, client) => {
  if (!client) return;
  if (!/\/(status|heartbeat|result\/[^/]+)$/.test(packet.topic)) return;
  process.stdout.write(
    JSON.stringify({ event: "message", topic: packet.topic, payload: packet.payload.toString() }) + "\n",
  );
});
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  try {
    const { topic, payload } = JSON.parse(line);
    aedes.publish(
      { cmd: "publish", topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
      () => undefined,
    );
  } catch (e) {
    process.stderr.write(`bad line: ${e}\n`);
  }
});
const stop = () => server.close(() => aedes.close(() => process.exit(0)));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
