import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { MqttClient } from "mqtt";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, login, screenshotOf } from "./support/browser.js";
// The IOC stand-in of the agent's tests: a small Channel Access server libca reads.
import { startCaServer, type CaServer } from "../../agent/test/helpers/ca-server.js";

const REPO = resolve(import.meta.dirname, "../..");
const missing = [
  !hasChromium && "/usr/bin/chromium (Debian package chromium)",
  !existsSync(resolve(REPO, "manager/dist/create-server.js")) && "manager/dist/create-server.js (npx tsc -b manager)",
].filter(Boolean);

type Fleet = typeof import("./support/fleet.js");

/** A port nothing listens on: the procServ control port of an IOC whose procServ is gone. */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe.skipIf(missing.length > 0)("board page IOC panel in headless Chromium", () => {
  let fleet: Fleet;
  let server: Awaited<ReturnType<Fleet["startServer"]>>;
  let staticDir: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let admin: MqttClient;
  let ioc: CaServer;
  let board: Awaited<ReturnType<Fleet["startBoard"]>>;
  const PREFIX = "SI-01RaCtrl:CO-Srv-7:";

  beforeAll(async () => {
    fleet = await import("./support/fleet.js");
    const { buildDashboard } = await import("./support/build.js");
    staticDir = await buildDashboard();
    server = await fleet.startServer(staticDir);
    admin = await fleet.connectAdmin(server.started.urls.mqtt);
    const vacPort = await closedPort();
    await fleet.ok(admin, "types.upsert", {
      name: "mbtemp",
      iocs: [
        {
          name: "ioc-mbtemp",
          service: { kind: "systemd", unit: "ioc-mbtemp.service" },
          pvs: [{ pv: "$(P)Heartbeat", heartbeatS: 5 }, { pv: "$(P)Version" }, { pv: "$(P)Ch1-Temp" }],
        },
        { name: "ioc-vacuum", service: { kind: "procserv", port: vacPort }, pvs: [{ pv: "$(P)Pressure" }] },
      ],
    });
    ioc = await startCaServer({
      pvs: [
        { name: `${PREFIX}Heartbeat`, type: "long", value: 1200, periodMs: 500 },
        { name: `${PREFIX}Version`, type: "string", value: "mbtemp-ioc R2.3.1" },
        { name: `${PREFIX}Ch1-Temp`, type: "double", value: 24.75 },
      ],
    });
    board = await fleet.startBoard(
      server.started.urls.mqtt,
      41,
      "SI-01RaCtrl--CO-Srv-7",
      "10.128.10.41",
      { services: ["ioc-mbtemp.service"], caAddrList: [`127.0.0.1:${ioc.port}`], caAutoAddrList: false, iocPollMs: 500 },
      { type: "mbtemp", pvPrefix: [PREFIX] },
    );
    browser = await launchBrowser({ width: 1400, height: 1100 });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await board?.stop();
    await ioc?.close();
    admin?.end(true);
    await server?.stop();
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
  });

  it("shows each IOC with its service, restarts and PVs; a dead procServ IOC and its silent PV in red", async () => {
    await login(page, server.started.urls.http, "admin", fleet.ADMIN_PASSWORD);
    await page.goto(`${server.started.urls.http}/#/board/${board.boardId}`);
    const panel = '[data-testid="ioc-panel"]';
    const state = (pv: string) => `${panel} [data-pv="${PREFIX}${pv}"] [data-testid="pv-state"]`;
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.trim() === "answers", state("Heartbeat"), { timeout: 30_000 });
    expect(await page.textContent(state("Version"))).toContain("answers");
    expect(await page.textContent(state("Pressure"))).toContain("silent");
    expect(await page.textContent(`${panel} [data-ioc="ioc-mbtemp"] [data-testid="ioc-running"]`)).toContain("running");
    expect(await page.textContent(`${panel} [data-ioc="ioc-vacuum"] [data-testid="ioc-running"]`)).toContain("not running");
    expect(await page.textContent(`${panel} [data-pv="${PREFIX}Version"]`)).toContain("mbtemp-ioc R2.3.1");
    // The same problems reach the board's problem list.
    await page.waitForSelector('[data-testid="problems"] >> text=ioc-down', { timeout: 10_000 });
    expect(await page.textContent('[data-testid="problems"]')).toContain("pv-silent");
    await screenshotOf(page, panel, "board-iocs");
    expect(browser.consoleLines.filter((l) => l.startsWith("pageerror"))).toEqual([]);
  });
});
