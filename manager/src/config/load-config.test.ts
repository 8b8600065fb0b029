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
});
