import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcSocketServer, type RpcSocketServer } from "../src/front/socket/rpc-socket-server.js";
import { authenticate, makeMethods, silentLog } from "./front-fixtures.js";

const SOCAT = "/usr/bin/socat";

// An outside peer: Debian's socat speaks the socket exactly as an operator would.
describe.skipIf(!existsSync(SOCAT))("command socket with socat as the peer", () => {
  let server: RpcSocketServer;
  let port: number;
  beforeAll(async () => {
    server = createRpcSocketServer({ methods: makeMethods(), authenticate, log: silentLog });
    ({ port } = await server.start({ port: 0, bind: "127.0.0.1" }));
  });
  afterAll(async () => {
    await server.stop();
  });

  it("authenticates, lists, and survives a bad line, an unknown method and a forbidden call", async () => {
    const child = spawn(SOCAT, ["-t", "5", "-", `TCP:127.0.0.1:${port}`], { stdio: ["pipe", "pipe", "inherit"] });
    const lines: any[] = [];
    let buf = "";
    const waiters: (() => void)[] = [];
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        lines.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
        waiters.splice(0).forEach((w) => w());
      }
    });
    const until = async (n: number) => {
      const deadline = Date.now() + 10_000;
      while (lines.length < n) {
        if (Date.now() > deadline) throw new Error(`got ${lines.length} of ${n} lines`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    };
    const input = [
      '{"jsonrpc":"2.0","id":1,"method":"auth","params":{"username":"viewer","password":"view-pw"}}',
      '{"jsonrpc":"2.0","id":2,"method":"hosts.list","params":{"sector":"2"}}',
      "this is not json",
      '{"jsonrpc":"2.0","id":3,"method":"no.such.method"}',
      '{"jsonrpc":"2.0","id":4,"method":"hosts.command","params":{"action":"reboot","boardIds":["b0001"]}}',
      '{"jsonrpc":"2.0","id":5,"method":"hosts.get","params":{"id":"b0001"}}',
    ];
    child.stdin.write(input.join("\n") + "\n");
    await until(6);
    child.stdin.end();
    await new Promise((r) => child.once("close", r));
    expect(lines[0]).toEqual({ jsonrpc: "2.0", id: 1, result: { username: "viewer", role: "viewer" } });
    expect(lines[1].id).toBe(2);
    expect(lines[1].result.every((h: { sector: string }) => h.sector === "2")).toBe(true);
    expect(lines[2]).toMatchObject({ id: null, error: { code: -32700 } });
    expect(lines[3]).toMatchObject({ id: 3, error: { code: -32601 } });
    expect(lines[4]).toMatchObject({ id: 4, error: { code: -32003, data: { code: "MGR_E_FORBIDDEN" } } });
    expect(lines[5]).toMatchObject({ id: 5, result: { id: "b0001" } });
  });
});
