import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "./load-config.js";

describe("loadConfig", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-cfg-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("uses the documented defaults without a file", () => {
    const c = loadConfig({ env: {}, cwd: dir });
    expect(c).toMatchObject({
      mqttPort: 1883,
      httpPort: 4850,
      cmdPort: 6789,
      sftpPort: 1026,
      bind: "0.0.0.0",
      topicRoot: "bbb",
      rebootGraceMs: 180_000,
    });
    expect(c.dataDir).toBe(join(dir, "data"));
  });

  it("reads ./bbb.config.json, and env wins over it", async () => {
    await writeFile(
      join(dir, "bbb.config.json"),
      JSON.stringify({ httpPort: 8080, mqttPort: 1884, logLevel: "debug" }),
    );
    const c = loadConfig({ env: { BBB_HTTP_PORT: "0" }, cwd: dir });
    expect(c).toMatchObject({ httpPort: 0, mqttPort: 1884, logLevel: "debug" });
  });

  it("reads YAML named by BBB_CONFIG", async () => {
    await writeFile(join(dir, "bbb.yaml"), "topicRoot: lab\nrebootGraceMs: 60000\n");
    expect(loadConfig({ env: { BBB_CONFIG: "bbb.yaml" }, cwd: dir })).toMatchObject({
      topicRoot: "lab",
      rebootGraceMs: 60_000,
    });
  });

  it("refuses an invalid setting or a missing explicit file with MGR_E_CONFIG", () => {
    expect(() => loadConfig({ env: { BBB_MQTT_PORT: "70000" }, cwd: dir })).toThrow(
      expect.objectContaining({ code: "MGR_E_CONFIG" }),
    );
    expect(() => loadConfig({ env: { BBB_CONFIG: "nope.json" }, cwd: dir })).toThrow(
      expect.objectContaining({ code: "MGR_E_CONFIG" }),
    );
  });

  it("reads secrets from *_FILE when the variable itself is not set", async () => {
    await writeFile(join(dir, "fleet"), "0123456789abcdef0123\n");
    await writeFile(join(dir, "admin"), "admin-pass-1\n");
    const c = loadConfig({
      env: { BBB_FLEET_SECRET_FILE: join(dir, "fleet"), BBB_ADMIN_PASSWORD_FILE: "admin", BBB_CONFIG: "bbb.yaml" },
      cwd: dir,
    });
    expect(c).toMatchObject({ fleetSecret: "0123456789abcdef0123", adminPassword: "admin-pass-1" });
    const direct = loadConfig({
      env: { BBB_ADMIN_PASSWORD: "from-env-9", BBB_ADMIN_PASSWORD_FILE: "admin", BBB_CONFIG: "bbb.yaml" },
      cwd: dir,
    });
    expect(direct.adminPassword).toBe("from-env-9");
    expect(() => loadConfig({ env: { BBB_REDIS_URL_FILE: "missing", BBB_CONFIG: "bbb.yaml" }, cwd: dir })).toThrow(
      /BBB_REDIS_URL_FILE=missing cannot be read: ENOENT/,
    );
  });

  it("role manager needs an external broker; TLS comes from the BBB_TLS_* paths", () => {
    expect(() => loadConfig({ env: { BBB_ROLE: "manager", BBB_CONFIG: "bbb.yaml" }, cwd: dir })).toThrow(/mqttUrl/);
    const c = loadConfig({
      env: {
        BBB_ROLE: "manager",
        BBB_MQTT_URL: "mqtt://broker:1883",
        BBB_MQTT_WS_URL: "ws://broker:4850/mqtt",
        BBB_TLS_CERT: "/c.pem",
        BBB_TLS_KEY: "/k.pem",
        BBB_CONFIG: "bbb.yaml",
      },
      cwd: dir,
    });
    expect(c).toMatchObject({
      role: "manager",
      mqttWsUrl: "ws://broker:4850/mqtt",
      tls: { cert: "/c.pem", key: "/k.pem" },
    });
    expect(() => loadConfig({ env: { BBB_TLS_CA: "/ca.pem", BBB_CONFIG: "bbb.yaml" }, cwd: dir })).toThrow(/tls/);
  });
});
