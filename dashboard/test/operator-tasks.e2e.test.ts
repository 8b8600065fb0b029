import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations } from "./support/axe.js";
import { login, missingForBrowserSuite, screenshot } from "./support/browser.js";
import type { LiveSuite } from "./support/live-suite.js";

const missing = missingForBrowserSuite("operator-tasks e2e", {
  "manager/dist/create-server.js": "npx tsc -b manager",
  "agent/dist/sim/live-board.js": "npx tsc -b agent",
});

/**
 * An operator's real tasks on demo boards (boards that really reboot and change address),
 * against the real server in Debian's Chromium: each test is a trap the dashboard used to set.
 */
describe.skipIf(missing.length > 0)("operator tasks in headless Chromium on demo boards", () => {
  let suite: LiveSuite;
  let browser: Awaited<ReturnType<LiveSuite["openBrowser"]>>;
  let page: Page;
  let url: string;
  const b: LiveSuite["boards"] = {};

  const state = (id: string) => `[data-testid="board-row"][data-board="${id}"] [data-state]`;
  const waitState = async (id: string, s: string, timeout = 15_000) => {
    await page.goto(`${url}/#/board/${id}`);
    await page.waitForSelector(`[data-testid="board-state"][data-state="${s}"]`, { timeout });
  };

  beforeAll(async () => {
    const { startLiveSuite } = await import("./support/live-suite.js");
    suite = await startLiveSuite();
    url = suite.url;
    const { fleet, admin } = suite;
    await fleet.ok(admin, "types.upsert", { name: "mbtemp", description: "MBTemp thermometer boards", colour: "#2e7d32" });
    const start = async (key: string, index: number, hostname: string, ip: string) => (b[key] = await suite.start(key, index, hostname, ip));
    await start("ok", 31, "SI-01RaCtrl--CO-Srv-1", "10.128.10.11");
    await start("wrong", 32, "SI-02RaCtrl--CO-Srv-1", "10.128.20.21");
    await start("stranger", 33, "SI-02RaCtrl--CO-Srv-2", "10.128.20.22");
    await start("twinA", 34, "SI-03RaCtrl--CO-Srv-1", "10.128.30.31");
    await start("twinB", 35, "SI-03RaCtrl--CO-Srv-2", "10.128.30.31");
    await start("conn", 36, "CON-RaCtrl--CO-Srv-1", "10.128.0.50");
    await start("spare", 37, "IA-20RaBbB--CO-Spare-1", "10.128.200.20");
    const s1 = { netmask: "255.255.255.128", gateway: "10.128.10.1" };
    const s2 = { netmask: "255.255.255.0", gateway: "10.128.20.1" };
    await fleet.ok(admin, "nodes.upsert", { hostname: "SI-01RaCtrl--CO-Srv-1", ip: { mode: "manual", ip: "10.128.10.11", ...s1 }, type: "mbtemp", sector: "1" });
    // Registered at .99, the board says .21: misconfigured.
    await fleet.ok(admin, "nodes.upsert", { hostname: "SI-02RaCtrl--CO-Srv-1", ip: { mode: "manual", ip: "10.128.20.99", ...s2 }, type: "mbtemp", sector: "2" });
    await fleet.ok(admin, "nodes.upsert", { hostname: "CON-RaCtrl--CO-Srv-1", ip: { mode: "manual", ip: "10.128.0.50", netmask: "255.255.255.0", gateway: "10.128.0.1" }, type: "mbtemp" });
    browser = await suite.openBrowser();
    page = browser.page;
  });

  afterAll(async () => {
    await suite?.stop();
  });

  it("two boards on one IP need attention on the overview and in their sector's tile, and no tile cuts its text", async () => {
    await page.goto(`${url}/#/overview`);
    await page.waitForFunction(() => document.querySelector('[data-testid="total"]')?.textContent === "7", undefined, { timeout: 20_000 });
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
    expect(await page.textContent('[data-testid="timeline"] [data-testid="timeline-effect"][data-effect="seen"]')).toMatch(/apply-node: back after \d+ s/);
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
    // twinA no longer conflicts (its twin is gone), but the offline twin needs attention: sector
    // 3's tile counts just it (no other test's board lives in sector 3).
    await page.goto(`${url}/#/overview`);
    await page.waitForSelector('[data-testid="alarm"]');
    const tile3 = page.locator('[data-testid="sector-tile"][data-sector="3"] [data-testid="tile-attention"]');
    try {
      // Polled, so that a failure shows what the tile said, and which boards were counted.
      await expect.poll(() => tile3.textContent(), { timeout: 15_000 }).toMatch(/^\D*1\D*$/);
    } catch (e) {
      const hosts = (await suite.fleet.ok(suite.admin, "hosts.list", {})) as { items: { id: string; state: string; problems: { code: string }[] }[] };
      console.log(JSON.stringify(hosts.items.map((h) => [h.id, h.state, h.problems.map((p) => p.code)])));
      throw e;
    }
  });

  it("the table shows each board's problem in words, whole hostnames on hover, every column reachable at 1280×720", async () => {
    // Its twin back on the same IP: both in conflict again.
    await b.twinB!.start();
    await page.goto(`${url}/#/boards?sort=hostname`);
    await page.waitForSelector(`[data-testid="board-row"][data-board="${b.twinA!.boardId}"] [data-testid="row-problem"]:text-matches("10\\.128")`, { timeout: 15_000 });
    const problem = await page.textContent(`[data-testid="board-row"][data-board="${b.twinA!.boardId}"] [data-testid="row-problem"]`);
    expect(problem).toMatch(/ip.*10\.128\.30\.31/);
    expect(await page.getAttribute(`[data-testid="board-row"][data-board="${b.twinA!.boardId}"] a`, "title")).toBe("SI-03RaCtrl:CO-Srv-1");
    // The last column can be scrolled into view and read.
    await page.locator('[role="columnheader"] [data-sort="agentVersion"]').scrollIntoViewIfNeeded();
    const last = await page.locator('[role="columnheader"] [data-sort="agentVersion"]').boundingBox();
    expect(last && last.x >= 0 && last.x + last.width <= 1280).toBe(true);
  });

  it("keyboard: a skip link to the search, filter chips and focus kept across ← Boards, the active row announced", async () => {
    await page.goto(`${url}/#/overview`);
    await page.waitForSelector('[data-testid="total"]');
    // The skip link is the first stop of the keyboard on every page.
    const first = await page.evaluate(() => document.querySelector("a[href], button, input, select, textarea, [tabindex]")?.getAttribute("data-testid"));
    expect(first).toBe("skip-to-search");
    await page.focus('[data-testid="skip-to-search"]');
    expect(await page.isVisible('[data-testid="skip-to-search"]')).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.activeElement?.id === "board-search");
    await page.click('fieldset[data-facet="sector"] input[data-value="3"]');
    await page.waitForSelector('[data-testid="filter-chips"] [data-chip="sector=3"]');
    await page.focus('[data-testid="boards-table"]');
    await page.keyboard.press("ArrowDown");
    const announced = (await page.textContent('[data-testid="active-row"]')) ?? "";
    expect(announced).toMatch(/^Row 2 of 2: SI-03RaCtrl:CO-Srv-\d, \w+, sector 3/);
    await page.keyboard.press("Enter");
    await page.waitForSelector('[data-testid="board-title"]');
    await page.click('[data-testid="back-to-boards"]');
    await page.waitForSelector('[data-testid="filter-chips"] [data-chip="sector=3"]');
    expect(page.url()).toContain("sector=3");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("boards-table");
    expect(await page.textContent('[data-testid="active-row"]')).toBe(announced);
    await page.click('[data-testid="filter-chips"] [data-chip="sector=3"] button');
    await page.waitForSelector('[data-testid="filter-chips"]', { state: "detached" });
  });

  it("an error toast says what to do, and none sits on top of a dialog", async () => {
    // Removing a type boards still use is refused: the notice says why and what to do.
    await page.goto(`${url}/#/manage/types`);
    page.once("dialog", (d) => void d.accept());
    await page.click('tr:has(b:text-is("mbtemp")) button.danger');
    await page.waitForSelector('[data-testid="notice"].error');
    const text = (await page.textContent('[data-testid="notice"].error')) ?? "";
    expect(text).toMatch(/types\.remove: .*\(MGR_E_\w+\) \S.*/);
    expect(text).toMatch(/try again|ask an admin|check/i);
    // A dialog opened while it shows: the notice steps aside, and comes back after.
    await page.goto(`${url}/#/board/${b.ok!.boardId}`);
    await page.click('[data-testid="board-actions"] [data-action="identify"]');
    await page.waitForSelector('[data-testid="action-dialog"]');
    expect(await page.isVisible('[data-testid="notice"]')).toBe(false);
    await page.keyboard.press("Escape");
    expect(await page.isVisible('[data-testid="notice"]')).toBe(true);
    await page.click('[data-testid="notice"] button');
  });

  it("axe-core finds no serious violation on any page", async () => {
    const pages = ["#/overview", "#/boards", `#/board/${b.wrong!.boardId}`, `#/board/${b.twinA!.boardId}`, "#/manage/types", "#/manage/nodes", "#/manage/sectors", "#/manage/audit", "#/migration"];
    const found: string[] = [];
    for (const p of pages) {
      await page.goto(`${url}/${p}`);
      await page.waitForSelector("main > *");
      await page.waitForTimeout(300);
      found.push(...(await seriousViolations(page)).map((v) => `${p} ${v}`));
    }
    await page.goto(`${url}/#/board/${b.ok!.boardId}`);
    await page.click('[data-testid="board-actions"] [data-action="set-ip"]');
    found.push(...(await seriousViolations(page)).map((v) => `set-ip dialog ${v}`));
    await page.keyboard.press("Escape");
    expect(found).toEqual([]);
  });

  it("on a phone (390×844): a list of state, hostname and sector, filters in a drawer, dialogs that fit", async () => {
    const phone = page;
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${url}/#/boards`);
    await phone.waitForSelector(`[data-testid="board-row"][data-board="${b.ok!.boardId}"]`);
    const row = phone.locator(`[data-testid="board-row"][data-board="${b.ok!.boardId}"]`);
    const box = await row.boundingBox();
    expect(box && box.width <= 390).toBe(true);
    expect(await row.locator("a").isVisible()).toBe(true);
    expect(await row.locator("[data-state]").isVisible()).toBe(true);
    expect(await phone.isVisible('fieldset[data-facet="sector"]')).toBe(false);
    await phone.click('[data-testid="filters-toggle"]');
    expect(await phone.isVisible('fieldset[data-facet="sector"]')).toBe(true);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.goto(`${url}/#/board/${b.ok!.boardId}`);
    await phone.click('[data-testid="board-actions"] [data-action="set-ip"]');
    const dlg = await phone.locator('[data-testid="action-dialog"]').boundingBox();
    expect(dlg && dlg.x >= 0 && dlg.x + dlg.width <= 390 && dlg.height <= 844).toBe(true);
    await screenshot(phone, "boards-phone");
    await phone.keyboard.press("Escape");
    await phone.setViewportSize({ width: 1280, height: 720 });
  });

  it("setting an IP another board has is warned about by the server and needs a reason to send anyway", async () => {
    await waitState(b.ok!.boardId, "online");
    await page.click('[data-testid="board-actions"] [data-action="set-ip"]');
    // 10.128.10.11 -> the address the "conn" board has.
    await page.fill("#ip-addr", "10.128.0.50");
    await page.fill("#ip-mask", "255.255.255.0");
    await page.fill("#ip-gw", "10.128.0.1");
    await page.click('[data-testid="action-next"]');
    await page.waitForSelector('[data-testid="conflicts"]');
    const warned = (await page.textContent('[data-testid="conflicts"]')) ?? "";
    expect(warned).toContain("IP 10.128.0.50 is already taken");
    expect(warned).toContain(`board CON-RaCtrl:CO-Srv-1 (${b.conn!.boardId}`);
    expect(warned).toContain("node CON-RaCtrl:CO-Srv-1 is registered with it");
    expect(await page.isDisabled('[data-testid="action-confirm"]')).toBe(true);
    await page.fill('[data-testid="conflict-reason"]', "swapping the two boards");
    expect(await page.isDisabled('[data-testid="action-confirm"]')).toBe(false);
    await page.keyboard.press("Escape");
    // An address nobody has goes straight through.
    await page.click('[data-testid="board-actions"] [data-action="set-ip"]');
    await page.fill("#ip-addr", "10.128.10.61");
    await page.click('[data-testid="action-next"]');
    await page.waitForSelector('[data-testid="conflict-checking"]', { state: "detached" });
    expect(await page.$('[data-testid="conflicts"]')).toBeNull();
    expect(await page.isDisabled('[data-testid="action-confirm"]')).toBe(false);
    await page.keyboard.press("Escape");
  });

  it("renaming a registered board says what happens to its node, renames both, and the board beats the new name", async () => {
    await waitState(b.conn!.boardId, "online");
    await page.click('[data-testid="board-actions"] [data-action="set-hostname"]');
    await page.fill("#act-host", "CON-RaCtrl:CO-Srv-1-");
    expect(await page.textContent('[data-testid="hostname-error"]')).toContain("ends with a dash");
    await page.fill("#act-host", "CON-RaCtrl:CO-Srv-7");
    const note = (await page.textContent('[data-testid="rename-note"]')) ?? "";
    expect(note).toContain("registered as node CON-RaCtrl:CO-Srv-1");
    expect(note).toMatch(/detaches|misconfigured/);
    expect(await page.isChecked('[data-testid="rename-node"]')).toBe(true);
    await page.click('[data-testid="action-next"]');
    await page.waitForSelector('[data-testid="conflict-checking"]', { state: "detached" });
    await page.click('[data-testid="action-confirm"]');
    await page.waitForSelector('[data-testid="run-effect"][data-effect="seen"]', { timeout: 20_000 });
    expect(await page.textContent('[data-testid="run-effect"]')).toContain("board reports hostname CON-RaCtrl:CO-Srv-7");
    await page.click('[data-testid="action-close"]');
    await page.waitForSelector('[data-testid="board-state"][data-state="online"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="node"]')).toContain("CON-RaCtrl:CO-Srv-7");
  });

  it("when the server goes silent the connected badge turns stale within 3 s, with the banner", async () => {
    const tab = await browser.context.newPage();
    let silent = false;
    await tab.routeWebSocket(/\/mqtt$/, (ws) => {
      const server = ws.connectToServer();
      // The client's packets still go out; nothing comes back, and the socket stays open.
      server.onMessage((m) => {
        if (!silent) ws.send(m);
      });
      ws.onMessage((m) => server.send(m));
    });
    await login(tab, url, "op", "operator-password");
    await tab.goto(`${url}/#/boards`);
    await tab.waitForSelector('[data-testid="board-row"]');
    await tab.waitForTimeout(1500);
    silent = true;
    const t0 = Date.now();
    await tab.waitForSelector('[data-testid="stale"]', { timeout: 10_000 });
    const ms = Date.now() - t0;
    expect(await tab.getAttribute('[data-testid="connection"]', "data-status")).not.toBe("online");
    console.log(`silent server shown stale after ${ms} ms`);
    expect(ms).toBeLessThanOrEqual(3_300);
    await tab.close();
  });

  it("a dead board is replaced by a spare of its type and forgotten in the same step", async () => {
    const dead = b.ok!;
    await dead.close();
    await waitState(dead.boardId, "offline");
    await page.click('[data-testid="board-actions"] [data-action="replace"]');
    const options = await page.$$eval("#act-spare option:not([disabled])", (els) => els.map((e) => e.textContent ?? ""));
    // Only alive, unregistered boards of the node's type, each with its sector.
    expect(options.some((o) => o.includes("IA-20RaBbB:CO-Spare-1") && o.includes("sector 20"))).toBe(true);
    expect(options.every((o) => /sector /.test(o))).toBe(true);
    await page.selectOption("#act-spare", b.spare!.boardId);
    expect(await page.isChecked('[data-testid="retire-dead"]')).toBe(true);
    await page.click('[data-testid="action-next"]');
    await page.click('[data-testid="action-confirm"]');
    await page.waitForSelector('[data-testid="run-effect"][data-effect="seen"]', { timeout: 30_000 });
    await page.click('[data-testid="action-close"]');
    await page.goto(`${url}/#/boards`);
    await page.waitForSelector(`[data-testid="board-row"][data-board="${b.spare!.boardId}"] [data-state="online"]`, { timeout: 15_000 });
    expect(await page.$(`[data-testid="board-row"][data-board="${dead.boardId}"]`)).toBeNull();
    expect(await page.textContent(`[data-testid="board-row"][data-board="${b.spare!.boardId}"] a`)).toBe("SI-01RaCtrl:CO-Srv-1");
    expect(b.spare!.exec.state.ip).toBe("10.128.10.11");
  });
});
