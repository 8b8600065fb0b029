import { readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, connectClient, request, startTestServer, type TestServer } from "./helpers.js";

/** The data dir holds user hashes, the fleet secret and the host key: no other local user may read it. */
describe("data dir permissions, /healthz", () => {
  let t: TestServer;
  let dataDir: string;
  beforeAll(async () => {
    // A data dir the server creates itself (mkdtemp would already make it 0700).
    dataDir = join(tmpdir(), `bbb-trust-files-${process.pid}`);
    t = await startTestServer({ dataDir });
    // A registry write, so the WAL exists too.
    const admin = await connectClient(t.mqttUrl, "admin", ADMIN_PASSWORD);
    expect((await request(admin, "sectors.upsert", { name: "s1", cidrs: ["10.0.0.0/24"] })).status).toBe("ok");
    await admin.endAsync();
  });
  afterAll(async () => {
    await t?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("is 0700 and its files are 0600 (SQLite with its WAL, users, fleet secret)", async () => {
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    const files: string[] = [];
    for (const e of await readdir(dataDir, { withFileTypes: true })) if (e.isFile()) files.push(e.name);
    expect(files).toEqual(expect.arrayContaining(["bbb.sqlite", "users.json"]));
    const open = [];
    for (const f of files) {
      const mode = (await stat(join(dataDir, f))).mode & 0o777;
      if (mode & 0o077) open.push(`${f} ${mode.toString(8)}`);
    }
    expect(open).toEqual([]);
  });

  it("/healthz tells no process id", async () => {
    const body = (await (await fetch(`http://127.0.0.1:${t.started.ports.http}/healthz`)).json()) as Record<string, unknown>;
    expect(body.status).toBe("ok");
    expect(body).not.toHaveProperty("pid");
  });
});
