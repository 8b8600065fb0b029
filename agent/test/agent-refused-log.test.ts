import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as tls from "node:tls";
import { Writable } from "node:stream";
import { Aedes } from "aedes";
import mqtt from "mqtt";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createConnection } from "../src/mqtt/connection.js";
import { until } from "./helpers/until.js";

// A broker that will not have the agent (wrong CA, bad certificate, refused token) is said at
// `warn` with the reason and the URL, never the token, and rate-limited (docs/deployment.md §"On a board").
const TOKEN = "secret-token-that-must-never-be-logged-0123";
const repo = resolve(import.meta.dirname, "..", "..");
const noOpenssl = spawnSync("openssl", ["version"]).status === 0 ? "" : "(openssl not installed)";

interface Line {
  level: number;
  msg: string;
  url?: string;
  reason?: string;
  code?: string | number;
  repeated?: number;
}

function capture() {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw.push(
        ...chunk
          .toString()
          .split("\n")
          .filter((l) => l !== ""),
      );
      cb();
    },
  });
  const log = pino({ level: "debug" }, stream);
  const warns = () => raw.map((l) => JSON.parse(l) as Line).filter((l) => l.level === 40);
  return { log, raw, warns };
}

const waitUntil = (cond: () => boolean, ms: number) => until(cond, ms, 20);

describe("refused broker connections are logged at warn, rate-limited", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const link = (url: string, log: pino.Logger, clock: { now(): number }, ca?: string) => {
    const conn = createConnection({
      urls: [url],
      boardId: "a0f6fd000099",
      token: TOKEN,
      ...(ca ? { ca } : {}),
      keepaliveS: 2,
      topicRoot: "bbb",
      session: "s-refused",
      connect: mqtt.connect,
      clock,
      log,
      random: () => 1,
      backoff: { baseMs: 40, capMs: 80 },
      refusalLogIntervalMs: 60_000,
    });
    cleanups.push(() => conn.stop());
    return conn;
  };

  it("a CONNACK refusal (bad credentials): one warn line with the return code and URL, no token", async () => {
    const aedes = await Aedes.createBroker();
    let attempts = 0;
    aedes.authenticate = (_c, _u, _p, done) => {
      attempts++;
      const e = Object.assign(new Error("bad token"), { returnCode: 4 });
      done(e, false);
    };
    const server = net.createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => aedes.close(() => r())));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { log, raw, warns } = capture();
    let now = 1_000_000;
    const conn = link(url, log, { now: () => now });
    conn.start();
    await waitUntil(() => attempts >= 5, 10_000);
    expect(conn.isConnected()).toBe(false);
    expect(warns()).toHaveLength(1);
    expect(warns()[0]).toMatchObject({ url, reason: "connack", code: 4 });
    expect(warns()[0]?.msg).toMatch(/refused/);
    // After the interval, the next refusal is said again with how many were not.
    now += 61_000;
    await waitUntil(() => warns().length === 2, 10_000);
    expect(warns()[1]?.repeated).toBeGreaterThanOrEqual(3);
    expect(raw.join("\n")).not.toContain(TOKEN);
  });

  describe.skipIf(noOpenssl !== "")(`TLS ${noOpenssl}`, () => {
    it("a server certificate from another CA: warn with the TLS error code and the URL", async () => {
      const work = mkdtempSync(join(tmpdir(), "bbb-refused-tls-"));
      cleanups.push(() => rmSync(work, { recursive: true, force: true }));
      const certs = (d: string) => {
        const r = spawnSync("bash", [join(repo, "scripts", "make-certs.sh"), join(work, d)], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`make-certs.sh: ${r.stderr}`);
        return join(work, d);
      };
      const server = certs("server");
      const other = certs("other");
      const aedes = await Aedes.createBroker();
      const srv = tls.createServer(
        { key: readFileSync(join(server, "server.key")), cert: readFileSync(join(server, "server.crt")) },
        aedes.handle,
      );
      srv.on("tlsClientError", () => undefined);
      await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
      cleanups.push(() => new Promise<void>((r) => aedes.close(() => r())));
      cleanups.push(() => new Promise<void>((r) => srv.close(() => r())));
      const url = `mqtts://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const { log, raw, warns } = capture();
      const conn = link(url, log, { now: () => 5_000_000 }, readFileSync(join(other, "ca.crt"), "utf8"));
      conn.start();
      await waitUntil(() => warns().length >= 1, 10_000);
      // More attempts fail meanwhile; still one line.
      await new Promise((r) => setTimeout(r, 600));
      expect(warns()).toHaveLength(1);
      expect(warns()[0]).toMatchObject({ url, reason: "tls" });
      expect(String(warns()[0]?.code)).toMatch(/CERT|SIGNATURE|SELF_SIGNED|ISSUER/);
      expect(raw.join("\n")).not.toContain(TOKEN);
      expect(conn.isConnected()).toBe(false);
    }, 30_000);
  });
});
