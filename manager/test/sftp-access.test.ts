import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import ssh2 from "ssh2";
import SftpClient from "ssh2-sftp-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { typeSchema } from "@bbb/shared";
import { createProjectStore, type ProjectStore } from "../src/projects/index.js";
import { createSftpServer, type SftpServer } from "../src/sftp/index.js";

const log = pino({ level: "silent" });
let dir: string;
let store: ProjectStore;
let server: SftpServer;
let port: number;
const boards: Record<string, string> = { board1: "pru", board2: "mbtemp" };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sftp-access-"));
  store = createProjectStore({ dataDir: join(dir, "data"), log, projectRoots: [dir] });
  for (const name of ["pru", "mbtemp", "shared"]) {
    const src = join(dir, `src-${name}`);
    await mkdir(src);
    for (let i = 0; i < 5; i++) await writeFile(join(src, `f${i}`), `${name} ${i}\n`);
    await store.refresh(typeSchema.parse({ name, source: { kind: "local", path: src } }));
  }
  server = createSftpServer({
    projectsDir: store.projectsDir,
    hostKeyPath: join(dir, "data/sftp_host_ed25519_key"),
    log,
    limits: { maxHandles: 3, maxConnections: 3 },
    // pru and mbtemp are restricted to their boards; "shared" is readable by every agent.
    access: { isRestricted: (t) => t !== "shared", typeOfBoard: (id) => boards[id] ?? null },
    authenticate: async (u, p) => {
      if (p !== `token-${u}`) return null;
      return u === "viewer" ? { kind: "user", role: "viewer" } : { kind: "agent", boardId: u };
    },
  });
  ({ port } = await server.start({ port: 0, bind: "127.0.0.1" }));
});
afterAll(async () => {
  await server?.stop();
  await store?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function connect(user: string) {
  const c = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
  await c.connect({ host: "127.0.0.1", port, username: user, password: `token-${user}` });
  return c;
}

describe("SFTP access rules and limits (ssh2-sftp-client as the peer)", () => {
  it("keeps an agent to its own type's tree where the type is restricted; users see all", async () => {
    const a = await connect("board1");
    try {
      expect((await a.list("/")).map((e) => e.name).sort()).toEqual(["pru", "shared"]);
      expect((await a.get("/pru/f1")).toString()).toBe("pru 1\n");
      expect((await a.get("/shared/f2")).toString()).toBe("shared 2\n");
      await expect(a.get("/mbtemp/f1")).rejects.toThrow(/denied/i);
      await expect(a.list("/mbtemp")).rejects.toThrow(/denied/i);
      await expect(a.get("/.trees")).rejects.toThrow();
      expect(await a.realPath("/pru/../../..")).toBe("/");
    } finally {
      await a.end();
    }
    const v = await connect("viewer");
    try {
      expect((await v.list("/")).map((e) => e.name).sort()).toEqual(["mbtemp", "pru", "shared"]);
      expect((await v.get("/mbtemp/f0")).toString()).toBe("mbtemp 0\n");
    } finally {
      await v.end();
    }
  });

  it("limits open handles per session", async () => {
    const c = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
    const sftp = await c.connect({ host: "127.0.0.1", port, username: "viewer", password: "token-viewer" });
    try {
      const openP = (p: string) =>
        new Promise<Buffer>((resolve, reject) => sftp.open(p, "r", (err, h) => (err ? reject(err) : resolve(h))));
      const hs = [await openP("/pru/f0"), await openP("/pru/f1"), await openP("/pru/f2")];
      await expect(openP("/pru/f3")).rejects.toThrow(/handles/);
      await new Promise<void>((resolve, reject) => sftp.close(hs[0]!, (err) => (err ? reject(err) : resolve())));
      await openP("/pru/f3");
    } finally {
      await c.end();
    }
  });

  it("refuses exec, shell and port forwarding", async () => {
    const client = new ssh2.Client();
    await new Promise<void>((resolve, reject) => {
      client.on("ready", resolve).on("error", reject);
      client.connect({ host: "127.0.0.1", port, username: "viewer", password: "token-viewer" });
    });
    try {
      await expect(
        new Promise((res, rej) => client.exec("cat /etc/passwd", (e, s) => (e ? rej(e) : res(s)))),
      ).rejects.toThrow();
      await expect(new Promise((res, rej) => client.shell((e, s) => (e ? rej(e) : res(s))))).rejects.toThrow();
      await expect(
        new Promise((res, rej) =>
          client.forwardOut("127.0.0.1", 0, "127.0.0.1", port, (e, s) => (e ? rej(e) : res(s))),
        ),
      ).rejects.toThrow();
    } finally {
      client.end();
    }
  });

  it("refuses a wrong token and drops connections over the limit", async () => {
    const bad = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
    await expect(bad.connect({ host: "127.0.0.1", port, username: "board1", password: "nope" })).rejects.toThrow(
      /authentication/i,
    );
    const held = [await connect("viewer"), await connect("viewer"), await connect("viewer")];
    try {
      const extra = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
      await expect(
        extra.connect({ host: "127.0.0.1", port, username: "viewer", password: "token-viewer", readyTimeout: 5000 }),
      ).rejects.toThrow();
    } finally {
      await Promise.all(held.map((c) => c.end()));
    }
  });

  it("keeps its host key across restarts", async () => {
    const keyPath = join(dir, "data/sftp_host_ed25519_key");
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    const before = server.hostKeyFingerprint();
    expect(before).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const key = await readFile(keyPath);
    const again = createSftpServer({
      projectsDir: store.projectsDir,
      hostKeyPath: keyPath,
      log,
      authenticate: async () => null,
    });
    await again.start({ port: 0, bind: "127.0.0.1" });
    try {
      expect(again.hostKeyFingerprint()).toBe(before);
      expect(await readFile(keyPath)).toEqual(key);
    } finally {
      await again.stop();
    }
  });
});
