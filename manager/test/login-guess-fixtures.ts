import { request as httpRequest } from "node:http";
import { connect as netConnect } from "node:net";
import mqtt from "mqtt";
import ssh2 from "ssh2";

/**
 * One login attempt per door from a chosen loopback source address (all of 127/8 is local, so
 * each measurement gets an address of its own): "ok", "checked" (the password was checked and
 * was wrong) or "throttled" (refused unchecked, docs/protocol.md §"Login throttle").
 */
export type Verdict = "ok" | "checked" | "throttled";
export interface Doors {
  http: number;
  cmd: number;
  mqtt: number;
  sftp: number;
}

export function restTry(ports: Doors, src: string, user: string, password: string): Promise<Verdict> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port: ports.http,
        path: "/api/hosts",
        localAddress: src,
        agent: false,
        headers: { authorization: "Basic " + Buffer.from(`${user}:${password}`).toString("base64") },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => {
          if (res.statusCode === 200) resolve("ok");
          else if (res.statusCode === 401) resolve(/too many/.test(body) ? "throttled" : "checked");
          else reject(new Error(`REST answered ${res.statusCode}: ${body}`));
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export function socketTry(ports: Doors, src: string, user: string, password: string): Promise<Verdict> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: "127.0.0.1", port: ports.cmd, localAddress: src });
    let buf = "";
    s.on("connect", () =>
      s.write(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "auth", params: { username: user, password } }) + "\n"),
    );
    s.on("data", (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      s.destroy();
      const m = JSON.parse(buf.slice(0, nl)) as { result?: unknown; error?: { message: string } };
      resolve(m.result ? "ok" : /too many/.test(m.error?.message ?? "") ? "throttled" : "checked");
    });
    s.on("error", reject);
  });
}

export function mqttTry(ports: Doors, src: string, user: string, password: string, clientId?: string): Promise<Verdict> {
  return new Promise((resolve) => {
    const c = new mqtt.MqttClient(() => netConnect({ host: "127.0.0.1", port: ports.mqtt, localAddress: src }), {
      username: user,
      password,
      clientId: clientId ?? `guess-${Math.random().toString(36).slice(2)}`,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 20_000,
    });
    c.on("connect", () => (c.end(true), resolve("ok")));
    c.on("error", (e: Error & { code?: number }) => (c.end(true), resolve(e.code === 5 ? "throttled" : "checked")));
  });
}

/** SSH says nothing about why a password was refused: the server's log tells (`throttled`). */
export function sftpTry(ports: Doors, src: string, user: string, password: string): Promise<Verdict | "refused"> {
  return new Promise((resolve) => {
    const c = new ssh2.Client();
    c.on("ready", () => (c.end(), resolve("ok")));
    c.on("error", () => resolve("refused"));
    c.connect({ host: "127.0.0.1", port: ports.sftp, localAddress: src, username: user, password, readyTimeout: 20_000 });
  });
}

/** Attempts for `ms` by `workers` loops at once (1: sequential); every verdict. */
export async function hammer<T>(ms: number, workers: number, attempt: () => Promise<T>): Promise<T[]> {
  const until = Date.now() + ms;
  const out: T[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = 0; i < 5000 && Date.now() < until; i++) out.push(await attempt());
    }),
  );
  return out;
}
