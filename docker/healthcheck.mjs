// HEALTHCHECK of the server image: GET /healthz on this container's own HTTP port, with node
// (no curl in the image). HTTPS when BBB_TLS_CERT is set; the certificate is not verified here
// because the check talks to itself over loopback, where the name never matches.
// Exit 0 healthy, 1 unhealthy (Docker's convention).
import http from "node:http";
import https from "node:https";

const port = Number(process.env.BBB_HTTP_PORT ?? 4850);
const secure = (process.env.BBB_TLS_CERT ?? "") !== "";
const client = secure ? https : http;
const req = client.get(
  { host: "127.0.0.1", port, path: "/healthz", timeout: 4000, rejectUnauthorized: false },
  (res) => {
    res.resume();
    process.exit(res.statusCode === 200 ? 0 : 1);
  },
);
req.on("timeout", () => req.destroy(new Error("timeout")));
req.on("error", (e) => {
  process.stderr.write(`healthz: ${e.message}\n`);
  process.exit(1);
});
