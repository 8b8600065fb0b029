import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "./helpers.js";

/**
 * The long-running programs answer --help and --version and exit without starting anything,
 * and a bad argument or configuration exits 2 naming the problem.
 */
const PROGRAMS = [
  { name: "bbb-server", main: "manager/dist/main.js", pkg: "manager/package.json", badEnv: { BBB_MQTT_PORT: "not-a-port" }, names: "mqttPort" },
  { name: "bbb-broker", main: "broker/dist/main.js", pkg: "broker/package.json", badEnv: { BBB_MQTT_PORT: "not-a-port" }, names: "BBB_MQTT_PORT" },
  { name: "bbb-demo", main: "manager/dist/demo/main.js", pkg: "manager/package.json", badEnv: null, names: "" },
] as const;

describe("the server, broker and demo programs", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-program-args-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  // Started in an empty folder with no data dir: a program that ignored the flag would create ./data there.
  const run = (main: string, args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(REPO, main), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", BBB_BIND: "127.0.0.1", BBB_MQTT_PORT: "0", BBB_HTTP_PORT: "0", ...env },
      encoding: "utf8",
      timeout: 20_000,
    });

  for (const p of PROGRAMS) {
    it(`${p.name}: --help and --version print and exit 0, starting nothing`, async () => {
      const version = (JSON.parse(await readFile(join(REPO, p.pkg), "utf8")) as { version: string }).version;
      for (const flag of ["--help", "-h"]) {
        const r = run(p.main, [flag]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toMatch(/Usage:/);
        expect(r.stdout).toContain("--version");
      }
      for (const flag of ["--version", "-V"]) {
        const r = run(p.main, [flag]);
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain(version);
      }
      expect(existsSync(join(dir, "data"))).toBe(false);
    });

    it(`${p.name}: an unknown argument exits 2 and names it`, () => {
      const r = run(p.main, ["--no-such-option"]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("--no-such-option");
    });

    if (p.badEnv) {
      it(`${p.name}: an invalid configuration exits 2 naming the setting`, () => {
        const r = run(p.main, [], { BBB_DATA_DIR: join(dir, `data-${p.name}`), ...p.badEnv });
        expect(r.status).toBe(2);
        expect(r.stderr).toContain(p.names);
        // Nothing written: the setting is refused before the data dir is touched.
        expect(existsSync(join(dir, `data-${p.name}`))).toBe(false);
      });
    }
  }
});
