import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import type { MqttClient } from "mqtt";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasChromium, launchBrowser, login, screenshot } from "./support/browser.js";

const REPO = resolve(import.meta.dirname, "../..");
const missing = [
  !hasChromium && "/usr/bin/chromium (Debian package chromium)",
  !existsSync(resolve(REPO, "manager/dist/create-server.js")) && "manager/dist/create-server.js (npx tsc -b manager)",
  !existsSync(resolve(REPO, "agent/dist/sim/live-board.js")) && "agent/dist/sim/live-board.js (npx tsc -b agent)",
].filter(Boolean);
if (missing.length > 0) console.warn(`operator-tasks e2e skipped: missing ${missing.join(", ")}`);

type Fleet = typeof import("./support/fleet.js");
type Live = Awaited<ReturnType<Fleet["startLiveBoard"]>>;

/**
 * An operator's real tasks on demo boards (boards that really reboot and change address),
 * against the real server in Debian's Chromium: each test is a trap the dashboard used to set.
 */
describe.skipIf(missing.length > 0)("operator tasks in headless Chromium on demo boards", () => {
  let fleet: Fleet;
  let server: Awaited<ReturnType<Fleet["startServer"]>>;
  let staticDir: string;
  let admin: MqttClient;
  const b: Record<string, Live> = {};
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let url: string;

  const state = (id: string) => `[data-testid="board-row"][data-board="${id}"] [data-state]`;
  const waitState = async (id: string, s: string, timeout = 15_000) => {
    await page.goto(`${url}/#/board/${id}`);
    await page.waitForSelector(`[data-testid="board-state"][data-state="${s}"]`, { timeout });
  };

  beforeAll(async () => {
    fleet = await import("./support/fleet.js");
    const { buildDashboard } = await import("./support/build.js");
    staticDir = await buildDashboard();
    server = await fleet.startServer(staticDir);
    url = server.started.urls.http;
    const mqttUrl = server.started.urls.mqtt;
    admin = await fleet.connectAdmin(mqttUrl);
    await fleet.addUser(admin, "op", "operator", "operator-password");
    await fleet.ok(admin, "types.upsert", { name: "mbtemp", description: "MBTemp thermometer boards", colour: "#2e7d32" });
    const start = async (key: string, index: number, hostname: string, ip: string) => (b[key] = await fleet.startLiveBoard(mqttUrl, index, hostname, ip));
    await start("ok", 31, "SI-01RaCtrl--CO-Srv-1", "10.128.10.11");
    await start("wrong", 32, "SI-02RaCtrl--CO-Srv-1", "10.128.20.21");
    await start("stranger", 33, "SI-02RaCtrl--CO-Srv-2", "10.128.20.22");
    await start("twinA", 34, "SI-03RaCtrl--CO-Srv-1", "10.128.30.31");
    await start("twinB", 35, "SI-03RaCtrl--CO-Srv-2", "10.128.30.31");
    await start("conn", 36, "CON-RaCtrl--CO-Srv-1", "10.128.0.50");
    const s1 = { netmask: "255.255.255.128", gateway: "10.128.10.1" };
    const s2 = { netmask: "255.255.255.0", gateway: "10.128.20.1" };
    await fleet.ok(admin, "nodes.upsert", { hostname: "SI-01RaCtrl--CO-Srv-1", ip: { mode: "manual", ip: "10.128.10.11", ...s1 }, type: "mbtemp", sector: "1" });
    // Registered at .99, the board says .21: misconfigured.
    await fleet.ok(admin, "nodes.upsert", { hostname: "SI-02RaCtrl--CO-Srv-1", ip: { mode: "manual", ip: "10.128.20.99", ...s2 }, type: "mbtemp", sector: "2" });
    await fleet.ok(admin, "nodes.upsert", { hostname: "CON-RaCtrl--CO-Srv-1", ip: { mode: "manual", ip: "10.128.0.50", netmask: "255.255.255.0", gateway: "10.128.0.1" }, type: "mbtemp" });
    browser = await launchBrowser({ width: 1280, height: 720 });
    page = browser.page;
    await login(page, url, "op", "operator-password");
  });

  afterAll(async () => {
    const errors = browser?.consoleLines.filter((l) => /^(error|pageerror)/.test(l)) ?? [];
    if (errors.length > 0) console.warn(`browser console errors:\n${errors.slice(-20).join("\n")}`);
    await browser?.close();
    for (const x of Object.values(b)) {
      await x.close();
      await x.root.cleanup();
    }
    admin?.end(true);
    await server?.stop();
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
  });

  it("two boards on one IP need attention on the overview and in their sector's tile, and no tile cuts its text", async () => {
    await page.goto(`${url}/#/overview`);
    await page.waitForFunction(() => document.querySelector('[data-testid="total"]')?.textContent === "6", undefined, { timeout: 20_000 });
    // The misconfigured board plus the two boards sharing 10.128.30.31 (both unregistered, otherwise "fine").
    await page.waitForFunction(() => document.querySelector('[data-testid="alarm"]')?.textContent?.includes("3 need attention"), undefined, { timeout: 15_000 });
    const tile3 = page.locator('[data-testid="sector-tile"][data-sector="3"] [data-testid="tile-attention"]');
    expect(await tile3.textContent()).toContain("2");
    // Every tile's content fits inside it, at the narrowest tile and with a big sector's counts:
    // a long sector name wraps, "401/612" never spills out.
    await page.setViewportSize({ width: 1020, height: 720 });
    const spills = await page.$$eval('[data-testid="sector-tile"]', (tiles) =>
      tiles.flatMap((t) => {
        const ok = t.querySelector(".ok");
        if (ok) ok.innerHTML = "<b>401</b>/612 ✓";
        const box = t.getBoundingClientRect();
        return [...t.querySelectorAll("span")].filter((s) => {
          const r = s.getBoundingClientRect();
          return r.right > box.right + 0.5 || r.left < box.left - 0.5;
        }).map((s) => `${t.getAttribute("data-sector")}: ${s.textContent}`);
      }),
    );
    expect(spills).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it("Set IP on a misconfigured board is pre-filled with its registered address and confirmed in words", async () => {
    await waitState(b.wrong!.boardId, "misconfigured");
    await page.click('[data-testid="board-actions"] [data-action="set-ip"]');
    expect(await page.inputValue("#ip-addr")).toBe("10.128.20.99");
    expect(await page.inputValue("#ip-gw")).toBe("10.128.20.1");
    expect(await page.textContent('[data-testid="ip-source"]')).toContain("reports 10.128.20.21");
    await page.click('[data-testid="action-next"]');
    const summary = (await page.textContent('[data-testid="confirm-summary"]')) ?? "";
    expect(summary).toContain("10.128.20.99 (manual)");
    expect(summary).toContain("255.255.255.0");
    expect(summary).not.toContain("{");
    await page.keyboard.press("Escape");
  });

  it("Apply registered config fixes a misconfigured board in one click: it reboots and comes back with the registered IP", async () => {
    await waitState(b.wrong!.boardId, "misconfigured");
    const panel = page.locator('[data-testid="apply-config-panel"]');
    expect(await panel.textContent()).toMatch(/10\.128\.20\.21.*→.*10\.128\.20\.99/s);
    await page.click('[data-testid="apply-config"]');
    await page.click('[data-testid="apply-config-confirm"]');
    await page.waitForSelector('[data-testid="apply-config-panel"] [data-testid="run-effect"][data-effect="seen"]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid="apply-config-panel"] [data-testid="run-effect"]')).toMatch(/back after \d+ s/);
    await page.waitForSelector('[data-testid="board-state"][data-state="online"]', { timeout: 15_000 });
    expect(b.wrong!.reboots).toBe(1);
    expect(b.wrong!.exec.state.ip).toBe("10.128.20.99");
  });

  it("Register this board is pre-filled from its heartbeat, names the hostname rule that failed, and registers it", async () => {
    await waitState(b.stranger!.boardId, "unregistered");
    await page.click('[data-testid="register-board"]');
    expect(await page.inputValue("#reg-host")).toBe("SI-02RaCtrl:CO-Srv-2");
    expect(await page.inputValue("#reg-ip")).toBe("10.128.20.22");
    expect(await page.inputValue("#reg-type")).toBe("mbtemp");
    const derived = (await page.textContent('[data-testid="register-derived"]')) ?? "";
    expect(derived).toContain("sector 2");
    expect(derived).toContain("255.255.255.0");
    expect(derived).toContain("10.128.20.1");
    await page.fill("#reg-host", "-SI-02RaCtrl:CO-Srv-2");
    await page.click('[data-testid="register-save"]');
    expect(await page.textContent('[data-testid="register-error"]')).toContain("starts with a dash");
    await page.fill("#reg-host", "SI-02RaCtrl:CO-Srv-2");
    await page.click('[data-testid="register-save"]');
    await page.waitForSelector('[data-testid="board-state"][data-state="online"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="node"]')).toContain("SI-02RaCtrl:CO-Srv-2");
    expect(await page.$('[data-testid="register-panel"]')).toBeNull();
  });

  it("a bulk reboot is done only when each board is back with a new boot", async () => {
    await page.goto(`${url}/#/boards?sector=1`);
    await page.waitForSelector(`${state(b.ok!.boardId)}[data-state="online"]`, { timeout: 15_000 });
    await page.goto(`${url}/#/boards`);
    await page.waitForSelector(`${state(b.conn!.boardId)}[data-state="online"]`, { timeout: 15_000 });
    await page.check(`[data-testid="board-row"][data-board="${b.ok!.boardId}"] input[type="checkbox"]`);
    await page.check(`[data-testid="board-row"][data-board="${b.conn!.boardId}"] input[type="checkbox"]`);
    await page.click('[data-testid="selection-bar"] [data-action="reboot"]');
    await page.click('[data-testid="action-next"]');
    await page.click('[data-testid="action-confirm"]');
    // Accepted first (the board is still up), then rebooting, then back.
    await page.waitForSelector(`[data-testid="run-progress"] li[data-board="${b.ok!.boardId}"] [data-testid="run-effect"][data-effect="waiting"]`, { timeout: 15_000 });
    for (const id of [b.ok!.boardId, b.conn!.boardId]) {
      await page.waitForSelector(`[data-testid="run-progress"] li[data-board="${id}"] [data-testid="run-effect"][data-effect="seen"]`, { timeout: 30_000 });
    }
    const texts = await page.$$eval('[data-testid="run-effect"]', (els) => els.map((e) => e.textContent ?? ""));
    expect(texts.every((t) => /back after [2-9]\d* s/.test(t))).toBe(true);
    await screenshot(page, "reboot-proof");
    await page.click('[data-testid="action-close"]');
    expect(b.ok!.reboots).toBe(1);
    expect(b.conn!.reboots).toBe(1);
  });

  it("a selection the filter hides is shown as hidden and never acted on", async () => {
    await page.goto(`${url}/#/boards`);
    await page.waitForSelector(`${state(b.ok!.boardId)}[data-state="online"]`, { timeout: 15_000 });
    if (await page.$('[data-testid="selection-bar"]')) await page.click('[data-testid="selection-bar"] >> text=Clear selection');
    await page.check(`[data-testid="board-row"][data-board="${b.ok!.boardId}"] input[type="checkbox"]`);
    await page.check(`[data-testid="board-row"][data-board="${b.twinA!.boardId}"] input[type="checkbox"]`);
    await page.click('fieldset[data-facet="sector"] input[data-value="3"]');
    await page.waitForSelector('[data-testid="hidden-selection"]');
    expect(await page.textContent('[data-testid="hidden-selection"]')).toContain("1 hidden");
    expect(await page.textContent('[data-testid="selected-count"]')).toContain("1 selected");
    await page.click('[data-testid="selection-bar"] [data-action="identify"]');
    await page.click('[data-testid="action-next"]');
    const names = await page.$$eval('[data-testid="confirm-boards"] li', (els) => els.map((e) => e.textContent ?? ""));
    expect(names).toHaveLength(1);
    expect(names[0]).toContain("SI-03RaCtrl:CO-Srv-1");
    await page.keyboard.press("Escape");
  });

  it("an offline board needs attention, shows its last values as stale and offers no command that cannot reach it", async () => {
    await b.twinB!.stop();
    await waitState(b.twinB!.boardId, "offline");
    await page.waitForSelector('[data-testid="stale-values"]');
    expect(await page.isDisabled('[data-testid="board-actions"] [data-action="reboot"]')).toBe(true);
    expect(await page.isDisabled('[data-testid="board-actions"] [data-action="replace"]')).toBe(false);
    await page.goto(`${url}/#/overview`);
    // twinA no longer conflicts (its twin is gone), but the offline twin needs attention.
    await page.waitForFunction(() => document.querySelector('[data-testid="alarm"]')?.textContent?.includes("1 need attention"), undefined, { timeout: 15_000 });
  });
});
