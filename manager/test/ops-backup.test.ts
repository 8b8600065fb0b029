import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCK_FILE } from "../src/ops/data-lock.js";
import { ADMIN_PASSWORD, connectClient, request, topics, startTestServer, type TestServer } from "./helpers.js";
import { beat, connectBoard, opsServer } from "./ops-fixtures.js";
import { adminEnv, bbbctl } from "./cli-runner.js";

const run = promisify(execFile);


const node = (i: number) => ({
  hostname: `bk-node-${i}`,
  ip: { mode: "manual", ip: `10.128.20.${10 + i}`, netmask: "255.255.255.0", gateway: "10.128.20.1" },
  type: "mbtemp",
});

describe("backup while running, restore offline", () => {
  let work: string;
  let srv: TestServer | null = null;
  let env: Record<string, string>;
  let secret: string;
  const clients: MqttClient[] = [];
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "bbb-ops-backup-"));
    // The fleet secret generated into the data dir, as on a first start: the backup must carry it.
    srv = await startTestServer({ fleetSecret: undefined }, opsServer());
    secret = (await readFile(join(srv.dataDir, "fleet-secret"), "utf8")).trim();
    env = adminEnv(srv.started.ports.cmd);
  });
  afterAll(async () => {
    for (const t of timers) clearInterval(t);
    for (const c of clients) c.end(true);
    await srv?.server.stop();
    if (srv) await rm(srv.dataDir, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  });

  it("backs up while boards heartbeat and nodes are written, and the restored dir starts with everything", async () => {
    const s = srv!;
    const admin = await connectClient(s.started.urls.mqtt, "admin", ADMIN_PASSWORD);
    clients.push(admin);
    expect((await request(admin, "types.upsert", { name: "mbtemp", description: "MBTemp" })).status).toBe("ok");
    const viewer = { username: "viewer1", role: "viewer", password: "viewer-password-1" };
    expect((await request(admin, "users.upsert", viewer)).status).toBe("ok");
    // Five boards beating every 100 ms for the whole backup.
    for (let i = 0; i < 5; i++) {
      const id = `00000000b0${i}0`;
      const b = await connectBoard(s.started.urls.mqtt, id, `s${i}`, secret);
      clients.push(b);
      let seq = 0;
      timers.push(
        setInterval(() => b.publish(topics.heartbeat(id), beat(id, `s${i}`, ++seq), { qos: 0, retain: true }), 100),
      );
    }
    // Nodes written one after the other until the backup is done.
    const confirmed: number[] = [];
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 500; i++) {
        if ((await request(admin, "nodes.upsert", node(i))).status === "ok") confirmed.push(i);
      }
    })();
    while (confirmed.length < 10) await new Promise((r) => setTimeout(r, 20));
    const before = confirmed.length;

    const file = join(work, "fleet.tar.gz");
    const b = await bbbctl(["backup", file], env);
    writing = false;
    await writer;
    expect(b.stderr).toBe("");
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/fleet\.tar\.gz: \d+ bytes, \d+ files, sha256 [0-9a-f]{64}/);

    // GNU tar reads it: the database, the users, the fleet secret, webhooks, the manifest last.
    const listing = (await run("tar", ["-tzf", file])).stdout.trim().split("\n");
    expect(listing).toEqual(expect.arrayContaining(["bbb.sqlite", "users.json", "fleet-secret", "manifest.json"]));
    expect(listing.at(-1)).toBe("manifest.json");
    expect(listing.some((p) => p.startsWith("backups/") || p === LOCK_FILE)).toBe(false);

    await s.server.stop();
    srv = null;
    await rm(s.dataDir, { recursive: true, force: true });

    // Restore into a used dir: its old content is kept aside.
    const target = join(work, "restored");
    await bbbctl(["restore", "--check", file], {}).then((r) => expect(r.stdout).toMatch(/intact/));
    await run("mkdir", ["-p", target]);
    await writeFile(join(target, "old.txt"), "before the restore");
    const r = await bbbctl(["restore", file, "--data-dir", target], {});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const previous = (await readdir(target)).find((n) => n.startsWith(".previous-"));
    expect(previous).toBeDefined();
    expect(await readFile(join(target, previous!, "old.txt"), "utf8")).toBe("before the restore");
    expect(existsSync(join(target, "old.txt"))).toBe(false);

    const again = await startTestServer({ fleetSecret: undefined, adminPassword: undefined }, { ...opsServer(), dataDir: target });
    srv = again;
    // The fleet secret and the users came back: the admin's password and a board's token work.
    const admin2 = await connectClient(again.started.urls.mqtt, "admin", ADMIN_PASSWORD);
    clients.push(admin2);
    clients.push(await connectBoard(again.started.urls.mqtt, "00000000b000", "s9", secret));
    const nodes = (await request(admin2, "nodes.list", {})).data as {
      total: number;
      items: { node: { hostname: string } }[];
    };
    const names = new Set(nodes.items.map((n) => n.node.hostname));
    for (let i = 0; i < before; i++) expect(names.has(`bk-node-${i}`), `bk-node-${i}`).toBe(true);
    const types = (await request(admin2, "types.list", {})).data as { items: { name: string }[] };
    expect(types.items.map((t) => t.name)).toContain("mbtemp");
    const users = (await request(admin2, "users.list", {})).data as { items: { username: string; role: string }[] };
    expect(users.items).toContainEqual({ username: "viewer1", role: "viewer" });
    const history = (await request(admin2, "history.query", { limit: 5000 })).data as { items: { kind: string }[] };
    expect(history.items.some((h) => h.kind === "state-change")).toBe(true);
    expect(history.items.some((h) => h.kind === "registry")).toBe(true);
  });

  it("streams a backup over REST to an admin only", async () => {
    const s = srv!;
    const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
    const res = await fetch(`${s.http}/api/server/backup`, {
      method: "POST",
      headers: { authorization: basic("admin", ADMIN_PASSWORD) },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/gzip");
    const body = Buffer.from(await res.arrayBuffer());
    const { createHash } = await import("node:crypto");
    expect(createHash("sha256").update(body).digest("hex")).toBe(res.headers.get("x-bbb-sha256"));
    const denied = await fetch(`${s.http}/api/server/backup`, {
      method: "POST",
      headers: { authorization: basic("viewer1", "viewer-password-1") },
    });
    expect(denied.status).toBe(403);
    expect((await fetch(`${s.http}/api/server/backup`, { method: "POST" })).status).toBe(401);
    // The newest backups stay on the server (backupKeep, default 3).
    expect((await readdir(join(s.dataDir, "backups"))).filter((n) => n.endsWith(".tar.gz")).length).toBe(1);
  });

  it("refuses to restore while a server runs, or from a damaged archive, and changes nothing", async () => {
    const file = join(work, "fleet.tar.gz");
    // A lock of another live process on this host (the test runner's parent): a running server.
    const locked = join(work, "locked");
    await run("mkdir", ["-p", locked]);
    await writeFile(join(locked, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: 1 }));
    const held = await bbbctl(["restore", file, "--data-dir", locked], {});
    expect(held.code).toBe(2);
    expect(held.stderr).toMatch(/runs on .*: stop it first/);
    // Nor does a second server start on it.
    await expect(startTestServer({}, { ...opsServer(), dataDir: locked })).rejects.toThrow(/in use by process/);
    await writeFile(join(locked, LOCK_FILE), JSON.stringify({ pid: 1, host: "elsewhere", startedAt: 1 }));
    expect((await bbbctl(["restore", file, "--data-dir", locked], {})).stderr).toMatch(/--force/);

    const damaged = join(work, "damaged.tar.gz");
    const { gunzipSync, gzipSync } = await import("node:zlib");
    const tar = gunzipSync(await readFile(file));
    tar[2048] = (tar[2048] ?? 0) ^ 0xff;
    await writeFile(damaged, gzipSync(tar));
    const empty = join(work, "empty");
    const bad = await bbbctl(["restore", damaged, "--data-dir", empty], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/checksum mismatch|not a readable backup/);
    expect(existsSync(empty)).toBe(false);
  });
});
