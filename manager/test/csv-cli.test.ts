import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { adminEnv, bbbctl } from "./cli-runner.js";
import { startTestServer } from "./helpers.js";

const ADMIN_PASSWORD = "admin-password-for-csv-cli";


// `bbbctl import` / `bbbctl export` against the real server (nodes.import / nodes.export).
describe("bbbctl import and export", () => {
  let dir: string;
  let server: BbbServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-csv-cli-"));
    const t = await startTestServer(
      { fleetSecret: "fleet-secret-for-csv-cli-0123456789", adminPassword: ADMIN_PASSWORD },
      { dataDir: join(dir, "data"), extensions: [createFrontExtension({ rest: false })] },
    );
    server = t.server;
    const started = t.started;
    env = adminEnv(started.ports.cmd, { BBB_PASSWORD: ADMIN_PASSWORD });
    expect((await bbbctl(["call", "types.upsert", '{"name":"mbtemp"}'], env)).code).toBe(0);
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("prints the report, fails on a bad row without applying anything, then imports and exports", async () => {
    const file = join(dir, "nodes.csv");
    const rows = ["hostname,ip,type,sector,pv", "bbb-a,10.128.30.9,mbtemp,3,SI-03:A", "bbb-b,dhcp,mbtemp,,"];
    await writeFile(file, [...rows, "bbb-c,10.128.30.10,nosuchtype,,"].join("\n") + "\n");
    const bad = await bbbctl(["import", file], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/4\s+bbb-c\s+error\s+type nosuchtype is not registered/);
    expect(bad.stdout).toContain("nothing applied");
    expect(server.manager.registry.nodes.size).toBe(0);

    await writeFile(file, rows.join("\n") + "\n");
    const dry = await bbbctl(["import", file, "--dry-run"], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/2\s+bbb-a\s+add/);
    expect(dry.stdout).toContain("2 to add, 0 to change, 0 unchanged, 0 to remove, 0 in error: dry run");
    expect(server.manager.registry.nodes.size).toBe(0);

    const real = await bbbctl(["import", file, "--json"], env);
    expect(real.code).toBe(0);
    expect(JSON.parse(real.stdout)).toMatchObject({ applied: true, counts: { added: 2 } });

    const exp = await bbbctl(["export", "--sector", "3"], env);
    expect(exp.code).toBe(0);
    expect(exp.stdout).toBe(
      "hostname,ip,type,sector,pv,netmask,gateway,nameservers,board,notes,spare\nbbb-a,10.128.30.9,mbtemp,3,SI-03:A,,,,,,\n",
    );
  });
});
