import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveBoardToken } from "@bbb/broker";
import { LOGIN_USER_MAX_MS } from "@bbb/shared";
import { scaled, writeFigure } from "../../scripts/reliability.mjs";
import type { BbbServer } from "../src/create-server.js";
import { createFrontExtension } from "../src/front/front-extension.js";
import { createProjectsExtension } from "../src/projects/projects-extension.js";
import { FLEET_SECRET, captureLogger, startTestServer } from "./helpers.js";
import { hammer, mqttTry, restTry, sftpTry, socketTry, type Doors, type Verdict } from "./login-guess-fixtures.js";

/**
 * Password guessing on every door (docs/protocol.md §"Login throttle"): sequential and parallel
 * (8 at once) wrong passwords from one address, counting the guesses actually checked. Before
 * the throttle refused attempts inside the back-off window, parallel requests were all checked
 * (REST: 100 parallel wrong passwords in 15.7 s; SFTP: 200 in 25 s over 8 connections).
 */
const WRONG = "Wrong-Passw0rd-zz9";
const VICTIM = { name: "victim", password: "victim-password-77" };
const BOARD = "a77ac4000002";
const RUN_MS = scaled(6000, 1500);
const PARALLEL = 8;

describe("password guessing on every door", () => {
  let server: BbbServer;
  let dataDir: string;
  let ports: Doors;
  let nextHost = 10;
  const cap = captureLogger("info");
  const figures: Record<string, number | string> = {};
  const src = () => `127.0.0.${nextHost++}`;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "bbb-rel-guess-"));
    const t = await startTestServer(
      { sftpPort: 0 },
      { log: cap.log, dataDir, settleMs: 200, extensions: [createFrontExtension(), createProjectsExtension({ refreshIntervalMs: 3_600_000 })] },
    );
    server = t.server;
    const p = t.started.ports;
    ports = { http: p.http!, cmd: p.cmd!, mqtt: p.mqtt!, sftp: p.sftp! };
    await server.manager.service.users!.upsert(VICTIM.name, "operator", VICTIM.password);
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
    writeFigure("attack-guessing", {
      kind: "attack",
      title: "Password guessing per door, sequential and parallel",
      test: "manager/test/reliability-login-throttle.test.ts",
      claim:
        "Guesses actually checked per minute from one address, one attempt at a time and 8 at once: attempts inside the back-off window of the address or the username are refused unchecked on every door, so parallel guessing gains nothing. Rates are over the first 6 s of an attack, while the window still grows; at the 5 s ceiling one address gets 12 checks a minute, and one username at most 30 from any number of addresses. Before: REST took 100 parallel wrong passwords in 15.7 s, SFTP 200 in 25 s over 8 connections.",
      figures,
    });
  });

  const sftpChecked = (ip: string) =>
    cap.lines.filter((l) => l.msg === "sftp login refused" && l.ip === ip && l.throttled !== true).length;
  const doors: [string, (ip: string, user: string, pw: string) => Promise<Verdict | "refused">][] = [
    ["REST", (ip, u, p) => restTry(ports, ip, u, p)],
    ["socket", (ip, u, p) => socketTry(ports, ip, u, p)],
    ["MQTT", (ip, u, p) => mqttTry(ports, ip, u, p)],
    ["SFTP", (ip, u, p) => sftpTry(ports, ip, u, p)],
  ];

  for (const [door, attempt] of doors) {
    it(`checks few guesses per minute over ${door}, parallel no more than sequential`, { timeout: 120_000 }, async () => {
      const rate: Record<string, number> = {};
      for (const [mode, workers] of [["sequential", 1], ["parallel", PARALLEL]] as const) {
        const ip = src();
        const user = `nobody-${door}-${mode}`.toLowerCase();
        const verdicts = await hammer(RUN_MS, workers, () => attempt(ip, user, WRONG));
        expect(verdicts).not.toContain("ok");
        const checked = door === "SFTP" ? sftpChecked(ip) : verdicts.filter((v) => v === "checked").length;
        rate[mode] = Math.round((checked * 60_000) / RUN_MS);
        figures[`${door}: guesses checked per minute, ${mode}`] = rate[mode];
        figures[`${door}: attempts per minute, ${mode}`] = Math.round((verdicts.length * 60_000) / RUN_MS);
      }
      // The back-off doubles from 250 ms: at most a handful of checks in a few seconds, and a
      // burst gets its first checks (one per slot) and then one at a time.
      expect(rate.parallel!).toBeLessThanOrEqual(rate.sequential! + Math.round((8 * 60_000) / RUN_MS));
      expect(rate.sequential!).toBeLessThan(Math.round((12 * 60_000) / RUN_MS));
    });
  }

  it("refuses 100 parallel REST guesses but a handful, and a right password inside the window", { timeout: 60_000 }, async () => {
    const ip = src();
    const pending = Array.from({ length: 100 }, () => restTry(ports, ip, VICTIM.name, WRONG));
    // The first answers are the unchecked refusals; the checked ones wait out their back-off.
    expect(await Promise.race(pending)).toBe("throttled");
    const right = await restTry(ports, ip, VICTIM.name, VICTIM.password);
    const verdicts = await Promise.all(pending);
    expect(right).toBe("throttled");
    const checked = verdicts.filter((v) => v === "checked").length;
    figures["REST: of 100 parallel wrong passwords, checked"] = checked;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(8);
  });

  it("locks a username out from other addresses for a bounded time only", { timeout: 60_000 }, async () => {
    for (let i = 0; i < 6; i++) expect(await socketTry(ports, src(), VICTIM.name, WRONG)).not.toBe("ok");
    const from = src();
    const started = Date.now();
    let verdict: Verdict = "throttled";
    for (let i = 0; i < 200 && verdict === "throttled"; i++) {
      verdict = await restTry(ports, from, VICTIM.name, VICTIM.password);
      if (verdict === "throttled") await new Promise((r) => setTimeout(r, 100));
    }
    expect(verdict).toBe("ok");
    const waited = Date.now() - started;
    figures["Username locked out from another address after 6 failures (ms)"] = waited;
    expect(waited).toBeLessThan(LOGIN_USER_MAX_MS + 3000);
  });

  it("never slows a board over MQTT for an operator's failures from another address", { timeout: 60_000 }, async () => {
    const attacker = src();
    await hammer(1500, PARALLEL, () => mqttTry(ports, attacker, BOARD, WRONG));
    const started = Date.now();
    expect(await mqttTry(ports, src(), BOARD, deriveBoardToken(FLEET_SECRET, BOARD), BOARD)).toBe("ok");
    figures["MQTT: board login while its id is being guessed elsewhere (ms)"] = Date.now() - started;
  });
});
