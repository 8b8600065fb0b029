import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { configSchema } from "../src/config/schema.js";
import { createServer, type BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { ADMIN_PASSWORD, FLEET_SECRET } from "./helpers.js";

const SOCAT = "/usr/bin/socat";
const run = promisify(execFile);

/**
 * A client that writes its requests and half-closes at once (`printf … | socat -t 3 - TCP:…`)
 * gets every reply, in order, before the server closes: on a freshly started server, where the
 * first password check is slow (scrypt, nothing cached).
 */
describe.skipIf(!existsSync(SOCAT))("command socket: requests then half-close", () => {
  let server: BbbServer | null = null;
  let dataDir = "";
  afterEach(async () => {
    await server?.stop();
    server = null;
    await rm(dataDir, { recursive: true, force: true });
  });

  for (const round of [1, 2, 3]) {
    // Round 3 leaves the newline off the last request: the end of the stream ends that line.
    it(`socat with -t 3 gets both answers from a fresh server (round ${round}${round === 3 ? ", last line without newline" : ""})`, async () => {
      dataDir = await mkdtemp(join(tmpdir(), "bbb-halfclose-"));
      const config = configSchema.parse({
        mqttPort: 0, httpPort: 0, cmdPort: 0, bind: "127.0.0.1", dataDir,
        fleetSecret: FLEET_SECRET, adminPassword: ADMIN_PASSWORD,
      });
      server = createServer({ config, log: pino({ level: "silent" }), staticDir: null, settleMs: 100, extensions: [createFrontExtension()] });
      const { ports } = await server.start();
      const input =
        `{"jsonrpc":"2.0","id":1,"method":"auth","params":{"username":"admin","password":"${ADMIN_PASSWORD}"}}\n` +
        `{"jsonrpc":"2.0","id":2,"method":"types.list"}${round === 3 ? "" : "\n"}`;
      const { stdout } = await run("/bin/sh", ["-c", `printf '%s' '${input}' | ${SOCAT} -t 3 - TCP:127.0.0.1:${ports.cmd}`], {
        timeout: 15_000,
      });
      const lines = stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { id: number; result?: unknown });
      expect(lines.map((l) => l.id)).toEqual([1, 2]);
      expect(lines[0]?.result).toEqual({ username: "admin", role: "admin" });
      expect(lines[1]?.result).toMatchObject({ items: [] });
    });
  }
});
