import { createSocket } from "node:dgram";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, login, screenshot } from "./support/browser.js";
// The bbb-daemon peer of the manager's legacy tests: own msgpack encoder, the old quirky checksum.
import { pingDatagram, type PingNode } from "../../manager/test/legacy-peers.js";
// The bbbread peer: writes and polls a real redis-server as the bbbread client does.
import { startBbbreadPeer, type BbbreadPeer } from "../../manager/test/bbbread-peer.js";
import { haveRedis, startRedis } from "../../manager/test/redis-process.js";

const REPO = resolve(import.meta.dirname, "../..");
const missing = [
  !hasChromium && "/usr/bin/chromium (Debian package chromium)",
  !existsSync(resolve(REPO, "manager/dist/create-server.js")) && "manager/dist/create-server.js (npx tsc -b manager)",
  !haveRedis && "/usr/bin/redis-server (Debian package redis-server)",
].filter(Boolean);

type Fleet = typeof import("./support/fleet.js");

describe.skipIf(missing.length > 0)("migration view in headless Chromium: a mixed fleet of bbb-agent, bbbread and bbb-daemon boards", () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let peer: BbbreadPeer;
  let fleet: Fleet;
  let server: Awaited<ReturnType<Fleet["startServer"]>>;
  let staticDir: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  const boards: { boardId: string; stop(): Promise<void> }[] = [];
  const udp = createSocket("udp4");
  let timer: NodeJS.Timeout;
  const legacy: PingNode[] = [
    { name: "LA-RaCtrl:CO-Srv-1", ip_address: "10.128.1.21", state: 1, state_string: "Connected", type: 4, sector: "LINAC Area", counter: 0, details: "", config_time: "" },
    { name: "LA-RaCtrl:CO-Srv-2", ip_address: "10.128.1.22", state: 1, state_string: "Connected", type: 1, sector: "LINAC Area", counter: 0, details: "", config_time: "" },
  ];

  beforeAll(async () => {
    fleet = await import("./support/fleet.js");
    const { buildDashboard } = await import("./support/build.js");
    const { createLegacyExtension } = await import("@bbb/manager");
    staticDir = await buildDashboard();
    redis = await startRedis();
    peer = startBbbreadPeer({ url: redis.url, ip: "10.128.20.5", hostname: "SI-02RaCtrl--CO-Srv-5", sector: "IA-02", periodMs: 500, pollMs: 200 });
    await peer.start();
    await peer.log("bbb-function started");
    server = await fleet.startServer(staticDir, { legacyUdpPort: 0, legacyBbbreadRedis: redis.url }, [
      createLegacyExtension({ daemon: { periodMs: 1000 }, bbbread: { periodMs: 1000, scanMs: 1000 } }),
    ]);
    const udpPort = server.started.ports.legacyUdp ?? 0;
    timer = setInterval(() => {
      for (const n of legacy) {
        n.counter++;
        udp.send(pingDatagram(n), udpPort, "127.0.0.1");
      }
    }, 250);
    // One board of sector LINAC already on bbb-agent, one in sector 1.
    boards.push(await fleet.startBoard(server.started.urls.mqtt, 31, "LA-RaCtrl--CO-Srv-3", "10.128.1.23"));
    boards.push(await fleet.startBoard(server.started.urls.mqtt, 32, "SI-01RaCtrl--CO-Srv-9", "10.128.10.32"));
    browser = await launchBrowser();
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    page = browser.page;
  });

  afterAll(async () => {
    clearInterval(timer);
    udp.close();
    await browser?.close();
    for (const b of boards) await b.stop();
    await server?.stop();
    peer?.stop();
    await redis?.stop();
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
  });

  it("shows boards per agent kind per sector and the boards still on old daemons", async () => {
    await login(page, server.started.urls.http, "admin", fleet.ADMIN_PASSWORD);
    await page.goto(`${server.started.urls.http}/#/migration`);
    const linac = '[data-testid="migration-sector"][data-sector="LINAC"]';
    await page.waitForFunction((sel) => document.querySelector(`${sel} [data-kind="bbb-daemon"]`)?.textContent === "2", linac, { timeout: 15_000 });
    expect(await page.textContent(`${linac} [data-kind="bbb-agent"]`)).toBe("1");
    expect(await page.textContent('[data-testid="migration-sector"][data-sector="1"] [data-kind="bbb-agent"]')).toBe("1");
    const sector2 = '[data-testid="migration-sector"][data-sector="2"]';
    await page.waitForFunction((sel) => document.querySelector(`${sel} [data-kind="bbbread"]`)?.textContent === "1", sector2, { timeout: 15_000 });
    expect(await page.textContent('[data-testid="migration-done"]')).toBe("40");
    const listed = await page.$$eval('[data-testid="legacy-list"][data-sector="LINAC"] [data-testid="legacy-board"]', (els) => els.map((e) => e.getAttribute("data-board")));
    expect(listed).toEqual(["legacy-10-128-1-21", "legacy-10-128-1-22"]);
    expect(await page.$('[data-testid="copy-rollout"][data-sector="1"]')).toBeNull();
    expect(await page.$('[data-testid="copy-rollout"][data-sector="2"]')).not.toBeNull();
    await screenshot(page, "migration");
  });

  it("copies the sector's rollout command", async () => {
    await page.fill('[data-testid="deb-path"]', "/srv/bbb-agent_0.1.0_armhf.deb");
    await page.click('[data-testid="copy-rollout"][data-sector="LINAC"]');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(
      "printf '%s\\n' 10.128.1.21 10.128.1.22 > hosts-LINAC.txt && bbbctl rollout --hosts hosts-LINAC.txt --deb /srv/bbb-agent_0.1.0_armhf.deb",
    );
  });

  it("a legacy board's page names its daemon and offers only what the daemon can do", async () => {
    await page.goto(`${server.started.urls.http}/#/board/legacy-10-128-1-21`);
    await page.waitForSelector('[data-testid="board-agent"]', { timeout: 10_000 });
    expect(await page.textContent('[data-testid="board-agent"]')).toBe("on bbb-daemon");
    const offered = await page.$$eval('[data-testid="board-actions"] button', (els) => els.map((e) => e.getAttribute("data-action")));
    expect(offered).toEqual(["reboot", "set-ip", "set-hostname", "set-nameservers"]);
  });

  it("a bbbread board's page shows the board's own log from Redis", async () => {
    await page.goto(`${server.started.urls.http}/#/board/legacy-10-128-20-5`);
    await page.waitForSelector('[data-testid="legacy-log"]', { timeout: 10_000 });
    expect(await page.textContent('[data-testid="legacy-log"]')).toContain("bbb-function started");
    expect(await page.textContent('[data-testid="board-agent"]')).toBe("on bbbread");
  });

  it("the agent facet of the boards table filters legacy boards", async () => {
    await page.goto(`${server.started.urls.http}/#/boards?agent=bbb-daemon`);
    await page.waitForFunction(() => document.querySelector('[data-testid="shown-count"] b')?.textContent === "2", undefined, { timeout: 10_000 });
    await page.waitForSelector('fieldset[data-facet="agent"] input[data-value="bbb-agent"]');
  });
});
