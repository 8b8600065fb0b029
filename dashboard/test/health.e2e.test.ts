import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { MqttClient } from "mqtt";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, login, screenshot } from "./support/browser.js";

const REPO = resolve(import.meta.dirname, "../..");
const missing = [
  !hasChromium && "/usr/bin/chromium (Debian package chromium)",
  !existsSync(resolve(REPO, "manager/dist/create-server.js")) && "manager/dist/create-server.js (npx tsc -b manager)",
].filter(Boolean);
if (missing.length > 0) console.warn(`health e2e skipped: missing ${missing.join(", ")}`);

type Fleet = typeof import("./support/fleet.js");
const DAY = 86_400_000;

// The board page's plots and the fleet health and inventory views in headless Chromium against
// the real server, with a week of health points written beforehand through the manager's own
// history store (what a week of heartbeats leaves behind) and real agents on fake roots.
describe.skipIf(missing.length > 0)("health plots and inventory in Chromium", () => {
  let fleet: Fleet;
  let server: Awaited<ReturnType<Fleet["startServer"]>>;
  let staticDir: string;
  let dataDir: string;
  let admin: MqttClient;
  const boards: { boardId: string; root: { root: string }; stop(): Promise<void> }[] = [];
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let url: string;
  let hot = "";

  beforeAll(async () => {
    fleet = await import("./support/fleet.js");
    const { buildDashboard } = await import("./support/build.js");
    const { createHealthHistory, silentLogger } = await import("@bbb/manager");
    const { simMac } = await import("@bbb/agent/sim");
    staticDir = await buildDashboard();
    dataDir = await mkdtemp(join(tmpdir(), "bbb-health-e2e-"));
    const ids = [31, 32, 33, 41].map((i) => simMac(i).replaceAll(":", ""));
    hot = ids[0] ?? "";
    // A week of one-minute points: a daily temperature swing, load bursts, a slowly filling disk.
    let now = Date.now() - 7 * DAY;
    const end = Date.now();
    const seed = createHealthHistory({ dataDir, log: silentLogger(), now: () => now, maxBytes: 1e9 });
    await seed.start();
    for (; now < end; now += 60_000) {
      const day = (now % DAY) / DAY;
      ids.forEach((id, k) => {
        seed.observe(
          id,
          {
            v: 1,
            id,
            session: "seed",
            seq: 0,
            ts: now,
            hostname: "h",
            ip: "10.128.10.1",
            type: "mbtemp",
            uptime: Math.round((now - (end - 7 * DAY)) / 1000) + 3600,
            tempC: 46 + k * 3 + 7 * Math.sin(day * 2 * Math.PI) + Math.sin(now / 7e5),
            load1: Math.max(0, 0.2 + (Math.sin(now / 3.1e6) > 0.93 ? 1.6 : 0) + 0.1 * Math.sin(now / 2e5)),
            memUsedPct: 38 + k + 2 * Math.sin(now / 9e6),
            diskUsedPct: 61 + k * 5 + ((now - (end - 7 * DAY)) / (7 * DAY)) * 2,
          },
          now,
        );
      });
    }
    await seed.stop();
    server = await fleet.startServer(staticDir, { dataDir });
    url = server.started.urls.http;
    admin = await fleet.connectAdmin(server.started.urls.mqtt);
    await fleet.ok(admin, "types.upsert", {
      name: "mbtemp",
      colour: "#2e7d32",
      expect: { kernel: "5.10.168-ti-r71" },
      thresholds: { tempC: { warn: 45, crit: 85, hysteresis: 2 } },
    });
    const mqttUrl = server.started.urls.mqtt;
    boards.push(await fleet.startBoard(mqttUrl, 31, "SI-01RaCtrl--CO-Srv-1", "10.128.10.31"));
    boards.push(await fleet.startBoard(mqttUrl, 32, "SI-01RaCtrl--CO-Srv-2", "10.128.10.32"));
    boards.push(await fleet.startBoard(mqttUrl, 33, "SI-02RaCtrl--CO-Srv-1", "10.128.20.33"));
    boards.push(await fleet.startBoard(mqttUrl, 41, "SI-02RaCtrl--CO-Srv-2", "10.128.20.41"));
    for (const b of boards)
      await fleet.ok(admin, "nodes.upsert", {
        hostname: `SI-0${b.boardId === ids[2] || b.boardId === ids[3] ? 2 : 1}RaCtrl--CO-Srv-${b.boardId === ids[1] || b.boardId === ids[3] ? 2 : 1}`,
        ip: { mode: "dhcp" },
        type: "mbtemp",
      });
    // Each board a little different, as a real fleet is: temperature and load through their files.
    const { writeFile } = await import("node:fs/promises");
    const temps = [41.5, 47.3, 58.2, 72.4];
    const loads = [0.08, 0.35, 1.2, 2.6];
    for (const [k, b] of boards.entries()) {
      const root = b.root.root;
      await writeFile(join(root, "sys/class/thermal/thermal_zone0/temp"), `${Math.round((temps[k] ?? 40) * 1000)}\n`);
      await writeFile(join(root, "proc/loadavg"), `${loads[k] ?? 0.1} 0.3 0.2 1/93 1234\n`);
    }
    browser = await launchBrowser({ width: 1500, height: 1100 });
    page = browser.page;
    await login(page, url, "admin", fleet.ADMIN_PASSWORD);
  });

  afterAll(async () => {
    const errors = browser?.consoleLines.filter((l) => /^(error|pageerror)/.test(l)) ?? [];
    if (errors.length > 0) console.warn(`browser console errors:\n${errors.slice(-20).join("\n")}`);
    await browser?.close();
    for (const b of boards) await b.stop();
    admin?.end(true);
    await server?.stop();
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("plots a board's history with ranges, hover values and zoom", async () => {
    await page.goto(`${url}#/board/${hot}`);
    await page.waitForSelector('[data-testid="metrics-panel"][data-loaded="yes"]', { timeout: 20_000 });
    await page.waitForSelector('[data-chart="temp"] canvas');
    // 24 h at one point a minute: the temperature series holds ~1440 points.
    const n = await page.evaluate(() => document.querySelectorAll(".u-legend").length);
    expect(n).toBe(4);
    await page.locator('[data-testid="board-health"]').evaluate((el) => el.scrollIntoView());
    const box = await page.locator('[data-chart="temp"] .u-over').boundingBox();
    expect(box).not.toBeNull();
    if (!box) return;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
    const value = '[data-chart="temp"] .u-legend .u-series:nth-child(2) .u-value';
    await page.waitForFunction(
      (sel) => /^\d+(\.\d+)? °C$/.test(document.querySelector(sel)?.textContent ?? ""),
      value,
      { timeout: 5000 },
    );
    // The cursor is synchronised: the load plot shows a value for the same instant.
    expect(await page.locator('[data-chart="load"] .u-legend .u-series:nth-child(2) .u-value').textContent()).toMatch(
      /^\d/,
    );
    await screenshot(page, "board-health-24h");
    // Drag to zoom into a span of the plot: the same spot then shows another instant.
    const timeAt = '[data-chart="temp"] .u-legend .u-series:nth-child(1) .u-value';
    const before = await page.locator(timeAt).textContent();
    await page.mouse.move(box.x + box.width * 0.1, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.3, box.y + 20, { steps: 5 });
    await page.mouse.up();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 4 });
    await page.waitForFunction(
      ([sel, b]) => (document.querySelector(sel ?? "")?.textContent ?? b) !== b,
      [timeAt, before ?? ""],
      { timeout: 5000 },
    );
    await page.click('[data-range="7 d"]');
    await page.waitForFunction(() => document.querySelector(".hint")?.textContent?.includes("per 6 min"), undefined, {
      timeout: 15_000,
    });
    await screenshot(page, "board-health-7d");
  });

  it("shows fleet distributions per sector, the top boards and the alarm list", async () => {
    await page.goto(`${url}#/health`);
    await page.waitForSelector('[data-metric="tempC"] [data-testid="distribution"] tbody tr');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-metric="tempC"] [data-testid="top"] li').length === 4,
      undefined,
      { timeout: 15_000 },
    );
    // Three boards are over this type's warning limit of 45 °C: three alarms, the hottest first in the top list.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="alarm-entry"]').length === 3, undefined, {
      timeout: 15_000,
    });
    expect(await page.locator('[data-metric="tempC"] [data-testid="top"] li b').first().textContent()).toBe("72.4 °C");
    await screenshot(page, "fleet-health");
  });

  it("counts inventory values, lists the boards of one on click, exports CSV", async () => {
    await page.goto(`${url}#/inventory`);
    await page.waitForSelector('[data-column="kernel"] [data-value="5.10.168-ti-r71"]', { timeout: 15_000 });
    expect(await page.locator('[data-column="kernel"] [data-value="5.10.168-ti-r71"] b').textContent()).toBe("4");
    await page.click('[data-column="overlays"] [data-value="BB-UART1-00A0"]');
    await page.waitForSelector('[data-testid="inventory-boards"] tbody tr');
    expect(await page.locator('[data-testid="inventory-boards"] tbody tr').count()).toBe(4);
    expect(page.url()).toContain("col=overlays");
    await screenshot(page, "inventory");
    // A header orders the list from the keyboard as well: Enter sorts by name, Space reverses.
    const list = '[data-testid="inventory-boards"]';
    const names = () => page.locator(`${list} tbody tr td:first-child`).allTextContents();
    await page.focus(`${list} [role="columnheader"] [data-sort="board"]`);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${list} [role="columnheader"][aria-sort="ascending"] [data-sort="board"]`);
    const asc = await names();
    expect(asc).toHaveLength(4);
    await page.keyboard.press("Space");
    await page.waitForSelector(`${list} [role="columnheader"][aria-sort="descending"] [data-sort="board"]`);
    expect(await names()).toEqual([...asc].reverse());
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('[data-testid="inventory-csv"]')]);
    const csv = await readFile((await download.path()) ?? "", "utf8");
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("id,name,state,sector,type,kernel,image,debian,overlays,uEnv,node,agent,storage");
    expect(lines).toHaveLength(5);
    expect(lines.slice(1).every((l) => l.includes("5.10.168-ti-r71"))).toBe(true);
  });

  it("raised no script error in the page through all of the above", () => {
    expect(browser.consoleLines.filter((l) => l.startsWith("pageerror"))).toEqual([]);
  });
});
