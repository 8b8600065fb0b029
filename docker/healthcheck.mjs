// HEALTHCHECK of the server image, with node (no curl in the image). Exit 0 healthy, 1 not.
//   all-in-one, manager: GET /healthz on this container's HTTP port (BBB_HTTP_PORT, 4850);
//     HTTPS when BBB_TLS_CERT is set, without verifying the certificate: the check talks to
//     itself over loopback, where the certificate's names never match.
//   broker: a TCP connection to the MQTT port (BBB_MQTT_PORT, 1883) that is accepted, then
//     closed before any CONNECT, so it never counts as a failed login for the auth throttle.
import http from "node:http";
import https from "node:https";
import net from "node:net";

const TIMEOUT_MS = 4000;
const env = process.env;

function done(ok, why) {
  if (!ok) process.stderr.write(`unhealthy: ${why}\n`);
  process.exit(ok ? 0 : 1);
}

if ((env.BBB_ROLE ?? "all-in-one") === "broker") {
  const port = Number(env.BBB_MQTT_PORT || 1883);
  const socket = net.connect({ host: "127.0.0.1", port, timeout: TIMEOUT_MS }, () => {
    socket.destroy();
    done(true);
  });
  socket.on("timeout", () => done(false, `MQTT port ${port}: timeout`));
  socket.on("error", (e) => done(false, `MQTT port ${port}: ${e.message}`));
} else {
  const port = Number(env.BBB_HTTP_PORT || 4850);
  const client = (env.BBB_TLS_CERT ?? "") !== "" ? https : http;
  const req = client.get({ host: "127.0.0.1", port, path: "/healthz", timeout: TIMEOUT_MS, rejectUnauthorized: false }, (res) => {
    res.resume();
    done(res.statusCode === 200, `/healthz answered ${res.statusCode}`);
  });
  req.on("timeout", () => req.destroy(new Error("timeout")));
  req.on("error", (e) => done(false, `/healthz: ${e.message}`));
}
