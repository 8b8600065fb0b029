import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCircuit } from "../src/epics/ca-circuit.js";
import { searchNames } from "../src/epics/ca-search.js";
import { startCaServer, type CaServer } from "./helpers/ca-server.js";

const run = promisify(execFile);
const PROBE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "fixtures/epics/pyepics-probe.py");
const PYTHON = "/usr/bin/python3";
const hasPyepics = existsSync(PYTHON) && existsSync("/usr/lib/python3/dist-packages/epics");

/**
 * The test CA server speaks real Channel Access: Debian's pyepics (libca) reads and monitors
 * its PVs, and so does the agent's own client (docs/epics.md §"Channel Access").
 */
describe("test CA server against libca and the agent's client", () => {
  let srv: CaServer;
  const prefix = `T${process.pid}:`;
  beforeAll(async () => {
    srv = await startCaServer({
      pvs: [
        { name: `${prefix}Const`, type: "double", value: 42.5 },
        { name: `${prefix}Name`, type: "string", value: "bbb-test" },
        { name: `${prefix}Heartbeat`, type: "long", value: 0, periodMs: 100 },
      ],
    });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it.skipIf(!hasPyepics)("pyepics reads the constant (plain, string and CTRL forms) and monitors the counter", async () => {
    const { stdout } = await run(PYTHON, [PROBE, `${prefix}Const`, `${prefix}Heartbeat`, "3"], {
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? "",
        EPICS_CA_ADDR_LIST: `127.0.0.1:${srv.port}`,
        EPICS_CA_AUTO_ADDR_LIST: "NO",
        EPICS_CA_SERVER_PORT: String(srv.port),
      },
    });
    const r = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
      constant: number;
      constant_string: string;
      ctrl_value: number;
      counter_updates: number[];
      counter_host: string;
    };
    expect(r.constant).toBe(42.5);
    expect(r.constant_string).toBe("42.500");
    expect(r.ctrl_value).toBe(42.5);
    expect(r.counter_updates).toHaveLength(3);
    const [a, b, c] = r.counter_updates;
    expect(b).toBe((a ?? 0) + 1);
    expect(c).toBe((a ?? 0) + 2);
    // libca names the server by its resolved host name and the port it connected to.
    expect(r.counter_host).toMatch(new RegExp(`^(127\\.0\\.0\\.1|localhost):${srv.port}$`));
  });

  it("the agent's client finds, reads and monitors the same PVs", async () => {
    const found = await searchNames([`${prefix}Const`, `${prefix}Missing`, `${prefix}Heartbeat`], {
      destinations: [{ host: "127.0.0.1", port: srv.port }],
      timeoutMs: 300,
    });
    expect([...found.keys()].sort()).toEqual([`${prefix}Const`, `${prefix}Heartbeat`]);
    expect(found.get(`${prefix}Const`)).toEqual([`127.0.0.1:${srv.port}`]);
    const c = await openCircuit({ host: "127.0.0.1", port: srv.port, clientName: "test", hostName: "localhost", timeoutMs: 2000 });
    try {
      const ch = await c.createChannel(`${prefix}Const`);
      expect((await c.read(ch)).value).toBe("42.5");
      const name = await c.createChannel(`${prefix}Name`);
      expect((await c.read(name)).value).toBe("bbb-test");
      await expect(c.createChannel(`${prefix}Missing`)).rejects.toThrow(/refused/);
      const hb = await c.createChannel(`${prefix}Heartbeat`);
      const values: number[] = [];
      await new Promise<void>((resolve) => {
        c.monitor(hb, (v) => {
          values.push(Number(v.value));
          if (values.length === 3) resolve();
        });
      });
      expect(values[2]).toBe((values[0] ?? 0) + 2);
      expect(await c.echo()).toBe(true);
    } finally {
      c.close();
    }
  });

  it("a server that goes away closes the circuit", async () => {
    const other = await startCaServer({ pvs: [{ name: `${prefix}X`, type: "long", value: 1 }] });
    const c = await openCircuit({ host: "127.0.0.1", port: other.port, clientName: "t", hostName: "h", timeoutMs: 2000 });
    const closed = new Promise<void>((resolve) => c.onClose(resolve));
    await other.close();
    await closed;
    expect(c.isOpen()).toBe(false);
  });
});
