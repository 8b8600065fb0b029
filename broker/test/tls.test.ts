import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTopics } from "@bbb/shared";
import { MOSQUITTO, PASSWORDS, asBoard, asUser, closeAll, collect, mosquitto, startBroker, until, type TestBroker } from "./helpers.js";

const t = createTopics("bbb");
const OPENSSL = existsSync("/usr/bin/openssl");

describe.skipIf(!OPENSSL)("MQTTS with certificates made by openssl (skipped without /usr/bin/openssl)", () => {
  let tb: TestBroker;
  let dir: string;
  let ca: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-tls-"));
    const run = (args: string[]) => execFileSync("/usr/bin/openssl", args, { cwd: dir, stdio: "pipe" });
    run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=bbb-test-ca", "-keyout", "ca.key", "-out", "ca.crt"]);
    run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"]);
    writeFileSync(join(dir, "ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    run(["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.crt"]);
    ca = readFileSync(join(dir, "ca.crt"));
    tb = await startBroker({ tls: { key: readFileSync(join(dir, "server.key")), cert: readFileSync(join(dir, "server.crt")) }, mqttsPort: 0 });
  });
  afterEach(closeAll);
  afterAll(async () => {
    await tb?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("accepts MQTT.js over TLS with the same authentication and ACL", async () => {
    expect(tb.mqttsPort).toBeGreaterThan(0);
    const url = `mqtts://127.0.0.1:${tb.mqttsPort}`;
    const viewer = await asUser(url, "vera", { ca });
    const got = collect(viewer);
    await viewer.subscribeAsync(t.filters.allStatus);
    const board = await asBoard(url, "b1", { ca });
    await board.publishAsync(t.status("b1"), "{}", { qos: 1, retain: true });
    expect(await until(() => got.length === 1)).toBe(true);
    await expect(asUser(url, "vera", { ca, password: "wrong-password" })).rejects.toThrow(/Bad username or password/i);
  });

  it.skipIf(!MOSQUITTO)("accepts mosquitto_pub over TLS", async () => {
    const board = await asBoard(tb.port, "b2");
    const got = collect(board);
    await board.subscribeAsync(t.cmdAll("b2"), { qos: 1 });
    const r = await mosquitto("mosquitto_pub", [
      "-h", "127.0.0.1", "-p", String(tb.mqttsPort), "--cafile", join(dir, "ca.crt"), "-u", "otto", "-P", PASSWORDS.otto, "-q", "1", "-t", t.cmd("b2", "ping"), "-m", "{}",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(await until(() => got.length === 1)).toBe(true);
  });
});
