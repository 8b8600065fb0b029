import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.js";
import { createServer, type BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { bbbctl } from "./cli-runner.js";
import { ADMIN_PASSWORD, FLEET_SECRET } from "./helpers.js";

const SOCAT = "/usr/bin/socat";
const run = promisify(execFile);

/** A CA and a server certificate it signed for 127.0.0.1, plus an unrelated CA. */
function makeCerts(dir: string): void {
  const ssl = (...a: string[]) => execFileSync("openssl", a, { stdio: "ignore" });
  for (const ca of ["ca", "other-ca"]) {
    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
      "-subj", `/CN=${ca}`, "-keyout", join(dir, `${ca}.key`), "-out", join(dir, `${ca}.pem`));
  }
  ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
    "-keyout", join(dir, "key.pem"), "-out", join(dir, "srv.csr"));
  ssl("x509", "-req", "-in", join(dir, "srv.csr"), "-CA", join(dir, "ca.pem"), "-CAkey", join(dir, "ca.key"),
    "-CAcreateserial", "-days", "1", "-extfile", join(dir, "ext.cnf"), "-out", join(dir, "cert.pem"));
}

/** With BBB_TLS_CERT/KEY the command socket speaks TLS only: socat OPENSSL and bbbctl verify it. */
describe.skipIf(!existsSync(SOCAT))("command socket over TLS", () => {
  let dir: string;
  let server: BbbServer;
  let port: number;
  const lines = (out: string) => out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id: number; result?: unknown });
  const requests =
    `{"jsonrpc":"2.0","id":1,"method":"auth","params":{"username":"admin","password":"${ADMIN_PASSWORD}"}}\n` +
    `{"jsonrpc":"2.0","id":2,"method":"types.list"}\n`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-socket-tls-"));
    await writeFile(join(dir, "ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    makeCerts(dir);
    const config = configSchema.parse({
      mqttPort: 0, mqttsPort: 0, httpPort: 0, cmdPort: 0, bind: "127.0.0.1", dataDir: join(dir, "data"),
      fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD,
      tls: { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") },
    });
    server = createServer({ config, log: pino({ level: "silent" }), staticDir: null, settleMs: 100, extensions: [createFrontExtension()] });
    port = (await server.start()).ports.cmd ?? 0;
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers socat's OPENSSL address verifying with the CA, half-close included", async () => {
    const { stdout } = await run("/bin/sh", ["-c",
      `printf '%s' '${requests}' | ${SOCAT} -t 3 - OPENSSL:127.0.0.1:${port},cafile=${join(dir, "ca.pem")}`], { timeout: 15_000 });
    expect(lines(stdout).map((l) => l.id)).toEqual([1, 2]);
    expect(lines(stdout)[0]?.result).toEqual({ username: "admin", role: "admin" });
  });

  it("socat refuses a server its CA did not sign", async () => {
    const r = await run("/bin/sh", ["-c",
      `printf '%s' '${requests}' | ${SOCAT} -t 3 - OPENSSL:127.0.0.1:${port},cafile=${join(dir, "other-ca.pem")}`], { timeout: 15_000 })
      .then((x) => ({ code: 0, stdout: x.stdout }), (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }));
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
  });

  it("closes a plain-TCP client on its first line, before the handshake timeout; nothing is answered in clear", async () => {
    const s = connect({ host: "127.0.0.1", port });
    let got = "";
    s.on("data", (d: Buffer) => (got += d.toString("latin1")));
    s.on("error", () => undefined);
    s.write(requests);
    const closed = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 5000);
      s.once("close", () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    s.destroy();
    expect(closed).toBe(true);
    expect(got).not.toContain("jsonrpc");
  });

  it("bbbctl verifies with BBB_TLS_CA; without the CA it refuses the server", async () => {
    const env = { BBB_HOST: "127.0.0.1", BBB_CMD_PORT: String(port), BBB_USER: "admin", BBB_PASSWORD: ADMIN_PASSWORD };
    const ok = await bbbctl(["types", "list", "--json"], { ...env, BBB_TLS_CA: join(dir, "ca.pem") });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const bad = await bbbctl(["types", "list", "--json"], { ...env, BBB_TLS: "1" });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/certificate/i);
    const plain = await bbbctl(["types", "list", "--json"], env);
    expect(plain.code).toBe(2);
  });
});
