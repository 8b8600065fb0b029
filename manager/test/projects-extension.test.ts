import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import SftpClient from "ssh2-sftp-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeRoot, type FakeRoot } from "@bbb/agent/sim";
import { deriveBoardToken } from "@bbb/broker";
import { typeSchema, type BoardType, type Problem } from "@bbb/shared";
import type { BbbServer } from "../src/create-server.js";
import { createProjectsExtension } from "../src/projects/index.js";
import { ADMIN_PASSWORD, connectClient, FLEET_SECRET, REPO, request, waitFor, watchHosts, startTestServer } from "./helpers.js";

// The project store end to end (docs/protocol.md §"Project store and SFTP"): the all-in-one server with the projects extension, a local-folder type,
// a real agent process syncing over SFTP, and the registry judging its project revision.
describe("projects extension: project store, SFTP, sync-project and revision drift", () => {
  let dir: string;
  let src: string;
  let server: BbbServer;
  let ports: Record<string, number | null>;
  let admin: MqttClient;
  let hosts: Awaited<ReturnType<typeof watchHosts>>;
  let root: FakeRoot;
  let agent: ChildProcess | null = null;

  const call = async (method: string, params: unknown) => {
    const r = await request(admin, method, params);
    if (r.status !== "ok") throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const getType = async () => typeSchema.parse(await call("types.get", { name: "mbtemp" }));
  const mismatchFields = (problems: Problem[]) =>
    problems.filter((p) => p.code === "mismatch").map((p) => p.field ?? "");
  const sync = async () => {
    const run = (await call("hosts.command", {
      id: root.boardId,
      action: "sync-project",
      options: { timeoutMs: 20_000 },
    })) as { outcomes: { status: string; error?: unknown }[] };
    expect(run.outcomes[0], JSON.stringify(run.outcomes[0])).toMatchObject({ status: "succeeded" });
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-projects-ext-"));
    src = join(dir, "src");
    await mkdir(join(src, "ioc"), { recursive: true });
    await writeFile(join(src, "ioc/st.cmd"), "dbLoadRecords mbtemp.db\n");
    await writeFile(join(src, "rc.local"), "#!/bin/sh\n/opt/bbb-project/ioc/st.cmd\nexit 0\n", { mode: 0o755 });
    const t = await startTestServer(
      { sftpPort: 0, projectRoots: [dir] },
      // The timer stays out of the way: the test refreshes on demand.
      { dataDir: join(dir, "data"), extensions: [createProjectsExtension({ refreshIntervalMs: 3_600_000 })] },
    );
    server = t.server;
    const started = t.started;
    ports = started.ports;
    admin = await connectClient(started.urls.mqtt, "admin", ADMIN_PASSWORD);
    hosts = await watchHosts(admin);
    root = await createFakeRoot({ index: 41 });
  });
  afterAll(async () => {
    if (agent && agent.exitCode === null) agent.kill("SIGKILL");
    await admin?.endAsync();
    await server?.stop();
    await root?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it("builds the project of a new type and stores its revision in the type", async () => {
    expect(ports.sftp).toBeGreaterThan(0);
    const t: Partial<BoardType> = { name: "mbtemp", source: { kind: "local", path: src }, rcLocalPath: "rc.local" };
    await call("types.upsert", t);
    const withRev = await waitFor(
      async () => {
        const ty = await getType();
        return ty.revision ? ty : null;
      },
      10_000,
      "type revision",
    );
    expect(withRev.revision).toMatch(/^[0-9a-f]{64}$/);
    expect(withRev.rcLocalHash).toMatch(/^[0-9a-f]{64}$/);
    // An edit that does not carry the revision (a description) keeps it.
    await call("types.upsert", { ...t, description: "MBTemp boards" });
    expect((await getType()).revision).toBe(withRev.revision);
    const info = (await call("sftp.info", {})) as { port: number; hostKeyFingerprint: string };
    expect(info.port).toBe(ports.sftp);
    expect(info.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it("an agent syncs over SFTP, reports the revision and turns online; a new revision makes it misconfigured", async () => {
    const info = (await call("sftp.info", {})) as { port: number; hostKeyFingerprint: string };
    await call("nodes.upsert", { hostname: root.options.hostname, ip: { mode: "dhcp" }, type: "mbtemp" });
    await writeFile(join(root.root, "agent-config.json"), "{}");
    agent = spawn(process.execPath, [join(REPO, "agent/dist/main.js")], {
      env: {
        PATH: process.env.PATH,
        BBB_AGENT_CONFIG: join(root.root, "agent-config.json"),
        BBB_MQTT_URL: `mqtt://127.0.0.1:${ports.mqtt}`,
        BBB_BOARD_ID: root.boardId,
        BBB_TOKEN: deriveBoardToken(FLEET_SECRET, root.boardId),
        BBB_ROOT_PREFIX: root.root,
        BBB_STATE_DIR: root.stateDir,
        BBB_SFTP_HOST: "127.0.0.1",
        BBB_SFTP_PORT: String(ports.sftp),
        BBB_SFTP_FINGERPRINT: info.hostKeyFingerprint,
        BBB_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    });
    // Never synced: the board lacks the type's project revision and rc.local.
    const before = await hosts.waitState(root.boardId, "misconfigured", 10_000);
    expect(mismatchFields(before.problems)).toEqual(expect.arrayContaining(["projectRevision", "rcLocalHash"]));

    await sync();
    const online = await hosts.waitState(root.boardId, "online", 10_000);
    const rev1 = (await getType()).revision;
    expect(online.heartbeat?.projectRevision).toBe(rev1);
    expect(await readFile(join(root.root, "opt/bbb-project/ioc/st.cmd"), "utf8")).toBe("dbLoadRecords mbtemp.db\n");
    expect(await readFile(join(root.root, "etc/rc.local"), "utf8")).toContain("st.cmd");

    // A changed file in the source and a refresh: a new revision, the board is out of date.
    await writeFile(join(src, "ioc/st.cmd"), "dbLoadRecords mbtemp.db\niocInit\n");
    const refreshed = (await call("projects.refresh", { type: "mbtemp" })) as { revision: string };
    expect(refreshed.revision).not.toBe(rev1);
    const stale = await hosts.waitState(root.boardId, "misconfigured", 10_000);
    expect(mismatchFields(stale.problems)).toEqual(["projectRevision"]);
    expect(stale.problems[0]).toMatchObject({ expected: refreshed.revision, actual: rev1 });

    await sync();
    const again = await hosts.waitState(root.boardId, "online", 10_000);
    expect(again.heartbeat?.projectRevision).toBe(refreshed.revision);
    expect(await readFile(join(root.root, "opt/bbb-project/ioc/st.cmd"), "utf8")).toContain("iocInit");
  });

  it("a new git source is fetched at once; a new commit marks the board out of date until it syncs", async () => {
    const git = (cwd: string, ...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.org", ...args], {
        cwd,
        encoding: "utf8",
      }).trim();
    const bare = join(dir, "project.git");
    const work = join(dir, "work");
    await mkdir(bare);
    git(bare, "init", "-q", "--bare", "--initial-branch=main");
    git(dir, "clone", "-q", bare, work);
    await mkdir(join(work, "ioc"));
    await writeFile(join(work, "ioc/st.cmd"), "dbLoadRecords git.db\n");
    // The same rc.local as before: only the revision differs.
    await writeFile(join(work, "rc.local"), await readFile(join(src, "rc.local")));
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "first");
    git(work, "push", "-q", "origin", "HEAD:main");
    const c1 = git(work, "rev-parse", "HEAD");

    // A type edit with a new source: the store fetches it without waiting for the timer.
    await call("types.upsert", {
      name: "mbtemp",
      source: { kind: "git", url: bare, ref: "main" },
      rcLocalPath: "rc.local",
    });
    await waitFor(async () => (await getType()).revision === c1, 15_000, "git revision in the type");
    const stale = await hosts.waitState(root.boardId, "misconfigured", 10_000);
    expect(mismatchFields(stale.problems)).toEqual(["projectRevision"]);
    await sync();
    expect((await hosts.waitState(root.boardId, "online", 10_000)).heartbeat?.projectRevision).toBe(c1);

    await writeFile(join(work, "ioc/st.cmd"), "dbLoadRecords git.db\niocInit\n");
    git(work, "commit", "-q", "-am", "second");
    git(work, "push", "-q", "origin", "HEAD:main");
    const c2 = git(work, "rev-parse", "HEAD");
    expect(((await call("projects.refresh", { type: "mbtemp" })) as { revision: string }).revision).toBe(c2);
    const out = await hosts.waitState(root.boardId, "misconfigured", 10_000);
    expect(out.problems.find((p) => p.field === "projectRevision")).toMatchObject({ expected: c2, actual: c1 });
    await sync();
    expect((await hosts.waitState(root.boardId, "online", 10_000)).heartbeat?.projectRevision).toBe(c2);
    expect(await readFile(join(root.root, "opt/bbb-project/ioc/st.cmd"), "utf8")).toBe(
      "dbLoadRecords git.db\niocInit\n",
    );
  });

  it("lets agents in with their token and users with their password, nobody else", async () => {
    const c = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
    await expect(
      c.connect({ host: "127.0.0.1", port: ports.sftp ?? 0, username: root.boardId, password: "0".repeat(64) }),
    ).rejects.toThrow(/authentication/i);
    const ok = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
    await ok.connect({
      host: "127.0.0.1",
      port: ports.sftp ?? 0,
      username: root.boardId,
      password: deriveBoardToken(FLEET_SECRET, root.boardId),
    });
    try {
      expect((await ok.list("/")).map((e) => e.name)).toContain("mbtemp");
    } finally {
      await ok.end();
    }
    // Users of the user store log in with their password too.
    const user = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
    await user.connect({ host: "127.0.0.1", port: ports.sftp ?? 0, username: "admin", password: ADMIN_PASSWORD });
    try {
      expect((await user.get("/mbtemp/ioc/st.cmd")).toString()).toContain("git.db");
    } finally {
      await user.end();
    }
    const wrong = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
    await expect(
      wrong.connect({ host: "127.0.0.1", port: ports.sftp ?? 0, username: "admin", password: "not-the-password" }),
    ).rejects.toThrow(/authentication/i);
  });
});

describe("projects extension: timer refresh", () => {
  it("picks up a changed local folder on its own and updates the type's revision", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bbb-projects-timer-"));
    const src = join(dir, "src");
    await mkdir(src);
    await writeFile(join(src, "a.txt"), "one\n");
    const { server } = await startTestServer(
      { sftpPort: 0, projectRoots: [dir] },
      { dataDir: join(dir, "data"), settleMs: 100, extensions: [createProjectsExtension({ refreshIntervalMs: 200, sftp: false })] },
    );
    try {
      const m = server.manager;
      m.service.editor.upsertType(typeSchema.parse({ name: "pru", source: { kind: "local", path: src } }), {
        by: "test",
        via: "internal",
      });
      const first = await waitFor(() => m.registry.types.get("pru")?.revision, 10_000, "first revision");
      await writeFile(join(src, "a.txt"), "two\n");
      const second = await waitFor(
        () => {
          const r = m.registry.types.get("pru")?.revision;
          return r && r !== first ? r : null;
        },
        10_000,
        "revision after the change",
      );
      expect(second).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
