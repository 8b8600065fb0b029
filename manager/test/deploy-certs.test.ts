import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// scripts/make-certs.sh (`make certs`): a private CA and a server certificate made by openssl
// at test time; a TLS client that trusts the CA connects, one that trusts another CA is refused.
const repo = resolve(import.meta.dirname, "..", "..");
const script = join(repo, "scripts", "make-certs.sh");
const openssl = spawnSync("openssl", ["version"], { encoding: "utf8" });
const noOpenssl = openssl.status === 0 ? "" : "(openssl not installed)";

let work = "";
const certs = () => join(work, "certs");
const other = () => join(work, "other");

function makeCerts(dir: string, ...args: string[]) {
  const r = spawnSync("bash", [script, dir, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`make-certs exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
const read = (dir: string, f: string) => readFileSync(join(dir, f));

/** Connects with the given CA to a TLS server using the certificates in `certs()`. */
async function handshake(ca: Buffer, servername: string, clientCert?: { cert: Buffer; key: Buffer }) {
  const server = tls.createServer({
    cert: read(certs(), "server.crt"),
    key: read(certs(), "server.key"),
    // The CA only to check client certificates (given to the server, Node also sends it in the chain).
    ...(clientCert ? { ca: read(certs(), "ca.crt") } : {}),
    requestCert: clientCert !== undefined,
    rejectUnauthorized: clientCert !== undefined,
  });
  server.on("secureConnection", (s) => s.end("ok"));
  server.on("tlsClientError", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  try {
    return await new Promise<string>((done) => {
      const c = tls.connect({ host: "127.0.0.1", port, ca, servername, ...clientCert }, () => {
        c.once("data", (b: Buffer) => {
          c.end();
          done(b.toString());
        });
      });
      c.on("error", (e: NodeJS.ErrnoException) => done(`error ${e.code ?? e.message}`));
      // TLS 1.3: the client may finish its side before the server refuses its certificate.
      c.on("close", () => done("closed"));
    });
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "bbb-certs-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(noOpenssl !== "")(`scripts/make-certs.sh ${noOpenssl}`, () => {
  it("makes a CA, a server certificate with the SANs and a client certificate; keys are 0600", () => {
    const out = makeCerts(certs(), "bbb-server.example", "10.0.0.5", "--client", "ops");
    expect(out).toContain("created the CA");
    for (const f of ["ca.key", "server.key", "client-ops.key"]) expect(statSync(join(certs(), f)).mode & 0o777).toBe(0o600);
    const san = spawnSync("openssl", ["x509", "-in", join(certs(), "server.crt"), "-noout", "-ext", "subjectAltName"], {
      encoding: "utf8",
    }).stdout;
    for (const n of ["DNS:localhost", "IP Address:127.0.0.1", "DNS:bbb-server.example", "IP Address:10.0.0.5"]) {
      expect(san).toContain(n);
    }
    const verify = spawnSync("openssl", ["verify", "-CAfile", join(certs(), "ca.crt"), join(certs(), "server.crt")]);
    expect(verify.status).toBe(0);
  });

  it("is idempotent, and re-issues only the server certificate when a name is added", () => {
    const before = ["ca.crt", "server.crt", "client-ops.crt"].map((f) => read(certs(), f).toString());
    const again = makeCerts(certs(), "bbb-server.example", "10.0.0.5", "--client", "ops");
    expect(again).not.toContain("issued");
    expect(["ca.crt", "server.crt", "client-ops.crt"].map((f) => read(certs(), f).toString())).toEqual(before);
    const more = makeCerts(certs(), "bbb-server.example", "10.0.0.5", "bbb-2.example", "--client", "ops");
    expect(more).toContain("issued");
    expect(read(certs(), "ca.crt").toString()).toBe(before[0]);
    expect(read(certs(), "server.crt").toString()).not.toBe(before[1]);
  });

  it("a client trusting the CA connects by name and address; a wrong CA is refused", async () => {
    const ca = read(certs(), "ca.crt");
    expect(await handshake(ca, "localhost")).toBe("ok");
    expect(await handshake(ca, "bbb-2.example")).toBe("ok");
    expect(await handshake(ca, "not-in-the-cert.example")).toBe("error ERR_TLS_CERT_ALTNAME_INVALID");
    makeCerts(other());
    expect(await handshake(read(other(), "ca.crt"), "localhost")).toBe("error UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });

  it("a client certificate from the CA passes a server that requires one", async () => {
    const ca = read(certs(), "ca.crt");
    const client = { cert: read(certs(), "client-ops.crt"), key: read(certs(), "client-ops.key") };
    expect(await handshake(ca, "localhost", client)).toBe("ok");
    const stranger = { cert: read(other(), "server.crt"), key: read(other(), "server.key") };
    expect(await handshake(ca, "localhost", stranger)).not.toBe("ok");
  });
});
