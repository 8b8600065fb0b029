import { createServer as createHttpServer, type Server } from "node:http";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { pino } from "pino";
import SftpClient from "ssh2-sftp-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveBoardToken } from "@bbb/broker";
import { configSchema } from "../src/config/schema.js";
import { createServer, type BbbServer } from "../src/create-server.js";
import { createOpsExtension } from "../src/ops/ops-extension.js";
import { createProjectsExtension } from "../src/projects/index.js";
import { ADMIN_PASSWORD, connectClient, FLEET_SECRET, request, topics, waitFor } from "./helpers.js";

const BOARD = "a77ac4000015";

/**
 * A type's project source is chosen by an operator and served to every board token over SFTP:
 * an operator must not be able to point it at the server's own files (the data dir holds the
 * users' hashes, the fleet secret and the backups) nor make the server fetch internal URLs.
 */
describe("project sources an operator may choose", () => {
  let dir: string;
  let dataDir: string;
  let server: BbbServer;
  let sftpPort: number;
  let admin: MqttClient;
  let op: MqttClient;
  let viewer: MqttClient;
  let internal: Server;
  let internalHits = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-trust-src-"));
    dataDir = join(dir, "data");
    await mkdir(join(dir, "projects-ok"), { recursive: true });
    await writeFile(join(dir, "projects-ok/st.cmd"), "dbLoadRecords x.db\n");
    internal = createHttpServer((_req, res) => {
      internalHits++;
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => internal.listen(0, "127.0.0.1", r));
    // The admin's project root covers the whole test folder, data dir included: the data dir
    // must be refused whatever the roots say.
    const config = {
      ...configSchema.parse({
        mqttPort: 0, httpPort: 0, sftpPort: 0, bind: "127.0.0.1", dataDir,
        fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD,
      }),
      projectRoots: [dir],
      gitHosts: ["git.example.org"],
    };
    server = createServer({
      config, log: pino({ level: "silent" }), staticDir: null, settleMs: 200,
      extensions: [createProjectsExtension({ refreshIntervalMs: 3_600_000 }), createOpsExtension()],
    });
    const started = await server.start();
    sftpPort = started.ports.sftp ?? 0;
    await server.manager.service.users!.upsert("op1", "operator", "operator-password-1");
    await server.manager.service.users!.upsert("viewer1", "viewer", "viewer-password-1");
    admin = await connectClient(started.urls.mqtt, "admin", ADMIN_PASSWORD);
    op = await connectClient(started.urls.mqtt, "op1", "operator-password-1");
    viewer = await connectClient(started.urls.mqtt, "viewer1", "viewer-password-1");
    expect((await request(admin, "server.backup", {})).status).toBe("ok");
  });
  afterAll(async () => {
    await Promise.all([admin, op, viewer].map((c) => c?.endAsync()));
    await server?.stop();
    await new Promise((r) => internal?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const upsert = (c: MqttClient, name: string, source: unknown) => request(c, "types.upsert", { name, source });

  it("refuses a local source inside the data dir (backups: user hashes, fleet secret), directly or through a symlink", async () => {
    await symlink(dataDir, join(dir, "projects-ok-link"));
    for (const path of [join(dataDir, "backups"), dataDir, join(dir, "projects-ok-link"), join(dir, "projects-ok-link/backups")]) {
      const r = await upsert(op, "steal", { kind: "local", path });
      expect(r.error?.code, path).toBe("MGR_E_FORBIDDEN");
    }
    expect(server.manager.registry.types.has("steal")).toBe(false);
    // Nothing of the data dir reaches a board token over SFTP.
    const sftp = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
    await sftp.connect({ host: "127.0.0.1", port: sftpPort, username: BOARD, password: deriveBoardToken(FLEET_SECRET, BOARD) });
    try {
      expect(await sftp.exists("/steal")).toBe(false);
    } finally {
      await sftp.end();
    }
  });

  it("refuses a local folder outside the configured roots, and a git repository given by path outside them", async () => {
    for (const source of [
      { kind: "local", path: "/etc" },
      { kind: "git", url: "/etc", ref: "main" },
      { kind: "git", url: `file://${dataDir}`, ref: "main" },
    ]) {
      expect((await upsert(op, "etc", source)).error?.code, JSON.stringify(source)).toBe("MGR_E_FORBIDDEN");
    }
    expect((await upsert(op, "fine", { kind: "local", path: join(dir, "projects-ok") })).status).toBe("ok");
  });

  it("refuses git hosts the admin did not allow: no fetch of internal URLs", async () => {
    const port = (internal.address() as AddressInfo).port;
    for (const url of [`http://127.0.0.1:${port}/repo.git`, "https://169.254.169.254/latest", "git@internal.lan:x.git"]) {
      expect((await upsert(op, "ssrf", { kind: "git", url, ref: "main" })).error?.code, url).toBe(
        "MGR_E_FORBIDDEN",
      );
    }
    expect(internalHits).toBe(0);
  });

  it("never shows git URL credentials: methods and the retained registry/types topic; an edit with the redacted URL keeps them", async () => {
    const url = "https://deploy:s3cr3t-token@git.example.org/ioc/mbtemp.git";
    expect((await upsert(admin, "withcreds", { kind: "git", url, ref: "main" })).status).toBe("ok");
    const seen: string[] = [];
    viewer.on("message", (t, p) => {
      if (t === topics.registryType("withcreds")) seen.push(p.toString());
    });
    await viewer.subscribeAsync(topics.registryType("withcreds"), { qos: 1 });
    await waitFor(() => seen.length > 0 || null, 5000, "retained type");
    const shown = [
      JSON.stringify((await request(viewer, "types.get", { name: "withcreds" })).data),
      JSON.stringify((await request(viewer, "types.list", {})).data),
      JSON.stringify((await request(op, "history.list", {})).data ?? ""),
      ...seen,
    ];
    for (const s of shown) expect(s).not.toContain("s3cr3t");
    const got = (await request(op, "types.get", { name: "withcreds" })).data as { source: { url: string } };
    expect(got.source.url).toBe("https://***@git.example.org/ioc/mbtemp.git");
    expect((await request(op, "types.upsert", { ...got, description: "edited" })).status).toBe("ok");
    const stored = server.manager.registry.types.get("withcreds");
    expect(stored?.description).toBe("edited");
    expect(stored?.source).toMatchObject({ url });
  });
});
