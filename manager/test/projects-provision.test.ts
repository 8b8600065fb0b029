import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SftpClient from "ssh2-sftp-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentConfigSchema } from "@bbb/agent";
import { deriveBoardToken } from "@bbb/broker";
import type { BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createProjectsExtension } from "../src/projects/index.js";
import { fingerprintOf } from "../src/sftp/index.js";
import { adminEnv, bbbctl } from "./cli-runner.js";
import { startTestServer } from "./helpers.js";

const ADMIN_PASSWORD = "admin-password-for-provision";
const FLEET_SECRET = "fleet-secret-for-provision-0123456789";


// docs/protocol.md §"Authentication and ACL": `bbbctl provision` prints configs the agent accepts.
describe("bbbctl provision", () => {
  let dir: string;
  let server: BbbServer;
  let env: Record<string, string>;
  let ports: Record<string, number | null>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-provision-"));
    const t = await startTestServer(
      { sftpPort: 0, fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD },
      { dataDir: join(dir, "data"), extensions: [createFrontExtension({ rest: false }), createProjectsExtension()] },
    );
    server = t.server;
    ports = t.started.ports;
    await writeFile(join(dir, "secret"), `${FLEET_SECRET}\n`, { mode: 0o600 });
    env = adminEnv(ports.cmd, { BBB_PASSWORD: ADMIN_PASSWORD, BBB_FLEET_SECRET_FILE: join(dir, "secret") });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("prints an agent config that parses with the agent's schema and opens the SFTP store", async () => {
    const r = await bbbctl(["provision", "a0f6fd8b1c22"], env);
    expect(r.code, r.stderr).toBe(0);
    const c = agentConfigSchema.parse(JSON.parse(r.stdout));
    expect(c).toMatchObject({
      boardId: "a0f6fd8b1c22",
      mqttUrls: [`mqtt://127.0.0.1:${ports.mqtt}`],
      token: deriveBoardToken(FLEET_SECRET, "a0f6fd8b1c22"),
      sftpHost: "127.0.0.1",
      sftpPort: ports.sftp,
    });
    expect(c.caFile).toBeUndefined();
    expect(r.stderr).toContain("--public-host");
    // The config works: the token logs in and the server shows the pinned host key.
    let seen = "";
    const sftp = new SftpClient("t", { error: () => undefined, end: () => undefined, close: () => undefined });
    await sftp.connect({
      host: c.sftpHost ?? "",
      port: c.sftpPort,
      username: c.boardId ?? "",
      password: c.token ?? "",
      hostVerifier: (key: Buffer) => {
        seen = fingerprintOf(key);
        return seen === c.sftpHostKeyFingerprint;
      },
    });
    await sftp.end();
    expect(seen).toBe(c.sftpHostKeyFingerprint);
  });

  it("prints one config per line for several boards, with broker URLs and TLS from flags", async () => {
    const r = await bbbctl(
      [
        "provision",
        "a0f6fd8b1c22",
        "a0f6fd8b1c23",
        "--public-host",
        "bbb-server.lnls",
        "--mqtt-url",
        "mqtts://bbb-server.lnls:8883",
        "--mqtt-url",
        "mqtts://bbb-backup.lnls:8883",
      ],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    const configs = lines.map((l) => agentConfigSchema.parse(JSON.parse(l)));
    expect(configs.map((c) => c.token)).toEqual([
      deriveBoardToken(FLEET_SECRET, "a0f6fd8b1c22"),
      deriveBoardToken(FLEET_SECRET, "a0f6fd8b1c23"),
    ]);
    expect(configs[1]).toMatchObject({
      mqttUrls: ["mqtts://bbb-server.lnls:8883", "mqtts://bbb-backup.lnls:8883"],
      caFile: "/etc/bbb-agent/ca.pem",
      sftpHost: "bbb-server.lnls",
    });
  });

  it("refuses bad board ids and a missing fleet secret", async () => {
    expect((await bbbctl(["provision", "Not-A-Board"], env)).code).toBe(2);
    const noSecret = await bbbctl(["provision", "a0f6fd8b1c22", "--data-dir", join(dir, "nowhere")], {
      ...env,
      BBB_FLEET_SECRET_FILE: "",
    });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain("no fleet secret");
  });
});
