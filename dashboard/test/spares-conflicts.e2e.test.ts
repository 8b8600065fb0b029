import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriousViolations } from "./support/axe.js";
import { missingForBrowserSuite } from "./support/browser.js";
import type { LiveSuite } from "./support/live-suite.js";

const missing = missingForBrowserSuite("spares-conflicts e2e", {
  "manager/dist/create-server.js": "npx tsc -b manager",
  "agent/dist/sim/live-board.js": "npx tsc -b agent",
});

/**
 * Spare slots, whole hostnames and conflict checks before a node is saved, on demo boards against
 * the real server in Debian's Chromium. One sector whose hostnames all share "IA-20RaBbB:CO-".
 */
describe.skipIf(missing.length > 0)("spares, hostname prefixes and node conflicts in headless Chromium", () => {
  let suite: LiveSuite;
  let page: Page;
  let url: string;
  const b: LiveSuite["boards"] = {};
  const found: string[] = [];
  const axe = async (where: string) => found.push(...(await seriousViolations(page)).map((v) => `${where} ${v}`));
  const row = (id: string) => `[data-testid="board-row"][data-board="${id}"]`;
  const net = { netmask: "255.255.255.128", gateway: "10.128.200.1" };
  /** Types `value` into `field`, saves, and answers the conflict warning shown in `panel`. */
  const warningAfter = async (panel: string, field: string, value: string, save: string) => {
    await page.fill(field, value);
    await page.click(save);
    await page.waitForSelector(`${panel} [data-testid="conflicts"]`);
    return (await page.textContent(`${panel} [data-testid="conflicts"]`)) ?? "";
  };
  const historyOf = async (hostname: string) =>
    ((await suite.fleet.ok(suite.admin, "history.query", { hostname, kind: ["registry"] })) as { items: { message: string; data: { reason?: string } }[] }).items;

  beforeAll(async () => {
    const { startLiveSuite } = await import("./support/live-suite.js");
    suite = await startLiveSuite();
    url = suite.url;
    const { fleet, admin } = suite;
    await fleet.ok(admin, "types.upsert", { name: "mbtemp", colour: "#2e7d32" });
    const node = (host: string, ip: string, spare = false) =>
      fleet.ok(admin, "nodes.upsert", { hostname: host, ip: { mode: "manual", ip, ...net }, type: "mbtemp", spare });
    await node("IA-20RaBbB--CO-PSCtrl-1", "10.128.200.11");
    await node("IA-20RaBbB--CO-PSCtrl-2", "10.128.200.12");
    await node("IA-20RaBbB--CO-Spare-1", "10.128.200.20", true);
    await node("IA-20RaBbB--CO-Spare-2", "10.128.200.21", true);
    b.ps1 = await suite.start("ps1", 51, "IA-20RaBbB--CO-PSCtrl-1", "10.128.200.11");
    b.ps2 = await suite.start("ps2", 52, "IA-20RaBbB--CO-PSCtrl-2", "10.128.200.12");
    b.shelf = await suite.start("shelf", 53, "IA-20RaBbB--CO-Spare-1", "10.128.200.20");
    b.stranger = await suite.start("stranger", 54, "IA-20RaBbB--CO-PSCtrl-5", "10.128.200.15");
    page = (await suite.openBrowser()).page;
  });

  afterAll(async () => {
    await suite?.stop();
  });

  it("an empty spare slot is spare in its sector, counted apart and never as needing attention", async () => {
    await page.goto(`${url}/#/overview`);
    await page.waitForFunction(() => document.querySelector('[data-testid="total"]')?.textContent === "5", undefined, { timeout: 20_000 });
    await page.waitForSelector('[data-testid="spares"]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid="spares"]')).toContain("1 spare slot empty");
    // Nothing needs attention: the unregistered board is nobody's fault, the empty spare expected.
    expect(await page.$('[data-testid="alarm"]')).toBeNull();
    const tile = page.locator('[data-testid="sector-tile"][data-sector="20"]');
    expect(await tile.locator('[data-state="spare"]').textContent()).toMatch(/spare\s*1/);
    expect(await tile.locator('[data-testid="tile-attention"]').count()).toBe(0);
    expect(await tile.locator('[data-state="missing"]').count()).toBe(0);
    await axe("overview");
    await page.click('[data-testid="spares"]');
    await page.waitForSelector('[data-testid="board-row"] [data-state="spare"]');
    const names = await page.$$eval('[data-testid="board-row"]', (rows) => rows.map((r) => r.querySelector("[title]")?.getAttribute("title")));
    expect(names).toEqual(["IA-20RaBbB:CO-Spare-2"]);
    expect(await page.isVisible('[data-testid="filter-chips"] [data-chip="state=spare"]')).toBe(true);
  });

  it("the boards table hides the shared prefix, keeps the whole name in the tooltip and for screen readers, and a setting shows it again", async () => {
    await page.goto(`${url}/#/boards?sort=hostname`);
    await page.waitForSelector(`${row(b.ps1!.boardId)} a`);
    const toggle = page.locator('[data-testid="prefix-toggle"]');
    expect(await toggle.textContent()).toBe("prefix IA-20RaBbB:CO- hidden");
    const link = page.locator(`${row(b.ps1!.boardId)} a`);
    expect(await link.getAttribute("title")).toBe("IA-20RaBbB:CO-PSCtrl-1");
    // What reads aloud (and what a copy takes) is the whole name; what shows is the part that differs.
    expect(await link.textContent()).toBe("IA-20RaBbB:CO-PSCtrl-1");
    expect(await link.innerText()).toContain("PSCtrl-1");
    const hidden = await link.locator('[data-testid="host-prefix"]').boundingBox();
    expect(hidden && hidden.width <= 1 && hidden.height <= 1).toBe(true);
    const shown = await link.evaluate((a) => [...a.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(""));
    expect(shown).toBe("PSCtrl-1");
    await axe("boards, prefix hidden");
    await toggle.click();
    expect(await toggle.textContent()).toBe("hide prefix IA-20RaBbB:CO-");
    expect(await page.$('[data-testid="host-prefix"]')).toBeNull();
    // The setting stays with this browser: a new table (another page, then back) keeps it.
    await page.goto(`${url}/#/overview`);
    await page.waitForSelector('[data-testid="total"]');
    await page.goto(`${url}/#/boards?sort=hostname`);
    await page.waitForSelector(`${row(b.ps1!.boardId)} a`);
    expect(await page.evaluate(() => localStorage.getItem("bbb.hidePrefix"))).toBe("0");
    expect(await page.$('[data-testid="host-prefix"]')).toBeNull();
    expect(await page.textContent('[data-testid="prefix-toggle"]')).toBe("hide prefix IA-20RaBbB:CO-");
    await page.click('[data-testid="prefix-toggle"]');
    await page.waitForSelector('[data-testid="host-prefix"]');
    // A filter that leaves boards of one sector and other names: a prefix only when they share one.
    await page.fill("#board-search", "10.128.200.1");
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="board-row"]').length === 3);
    expect(await page.textContent('[data-testid="prefix-toggle"]')).toBe("prefix IA-20RaBbB:CO- hidden");
  });

  it("a dead board is replaced by the board of a spare node: the node takes the board, the spare slot is spare again", async () => {
    await b.ps1!.stop();
    await page.goto(`${url}/#/board/${b.ps1!.boardId}`);
    await page.waitForSelector('[data-testid="board-state"][data-state="offline"]', { timeout: 15_000 });
    await page.click('[data-testid="board-actions"] [data-action="replace"]');
    const options = await page.$$eval("#act-spare option:not([disabled])", (els) => els.map((e) => (e as HTMLOptionElement).value));
    // The board on the shelf (its node a spare) and the unregistered one, both of the type.
    expect(options.sort()).toEqual([b.shelf!.boardId, b.stranger!.boardId].sort());
    await page.selectOption("#act-spare", b.shelf!.boardId);
    await page.click('[data-testid="action-next"]');
    await page.click('[data-testid="action-confirm"]');
    await page.waitForSelector('[data-testid="run-effect"][data-effect="seen"]', { timeout: 30_000 });
    await page.click('[data-testid="action-close"]');
    await page.goto(`${url}/#/manage/nodes`);
    await page.waitForSelector('tr[data-node="IA-20RaBbB--CO-Spare-1"] [data-state="spare"]', { timeout: 15_000 });
    await page.waitForSelector('tr[data-node="IA-20RaBbB--CO-PSCtrl-1"] [data-state="online"]', { timeout: 15_000 });
    expect(b.shelf!.exec.state.ip).toBe("10.128.200.11");
  });

  it("Register this board warns that its IP is another board's and node's, and registers anyway only with a reason", async () => {
    await page.goto(`${url}/#/board/${b.stranger!.boardId}`);
    await page.waitForSelector('[data-testid="board-state"][data-state="unregistered"]', { timeout: 15_000 });
    await page.click('[data-testid="register-board"]');
    const warned = await warningAfter('[data-testid="register-panel"]', "#reg-ip", "10.128.200.12", '[data-testid="register-save"]');
    expect(warned).toContain("IP 10.128.200.12 is already taken");
    expect(warned).toContain(`board IA-20RaBbB:CO-PSCtrl-2 (${b.ps2!.boardId}`);
    expect(warned).toContain("node IA-20RaBbB:CO-PSCtrl-2 is registered with it");
    expect(warned).not.toContain("Hostname");
    expect(await page.textContent('[data-testid="register-save"]')).toBe("Register anyway");
    expect(await page.isDisabled('[data-testid="register-save"]')).toBe(true);
    await axe("register form with a conflict");
    // Its own address is nobody else's: registered at once, no reason asked.
    await page.fill("#reg-ip", "10.128.200.15");
    expect(await page.$('[data-testid="conflicts"]')).toBeNull();
    await page.fill("#reg-ip", "10.128.200.12");
    await page.click('[data-testid="register-save"]');
    await page.fill('[data-testid="conflict-reason"]', "PSCtrl-2 moves to a new address tomorrow");
    await page.click('[data-testid="register-save"]');
    await page.waitForSelector('[data-testid="node"]', { timeout: 15_000 });
    const [entry] = await historyOf("IA-20RaBbB--CO-PSCtrl-5");
    expect(entry?.data.reason).toBe("PSCtrl-2 moves to a new address tomorrow");
  });

  it("the node form asks before saving a hostname or IP someone has, not for the node's own values", async () => {
    await page.goto(`${url}/#/manage/nodes`);
    await page.click('tr[data-node="IA-20RaBbB--CO-Spare-2"] [data-testid="node-edit"]');
    expect(await page.isChecked('[data-testid="node-spare"]')).toBe(true);
    // Its own hostname and IP unchanged: saved straight away.
    await page.fill("#nd-pv", "IA-20RaBbB:PS-Spare");
    await page.click('[data-testid="node-save"]');
    await page.waitForFunction(() => document.querySelector<HTMLInputElement>("#nd-host")?.value === "");
    expect(await page.$('[data-testid="conflicts"]')).toBeNull();
    // A hostname a board and a node already have.
    await page.click('tr[data-node="IA-20RaBbB--CO-Spare-2"] [data-testid="node-edit"]');
    const warned = await warningAfter('[data-testid="node-form"]', "#nd-host", "IA-20RaBbB:CO-PSCtrl-2", '[data-testid="node-save"]');
    expect(warned).toContain("Hostname IA-20RaBbB:CO-PSCtrl-2 is already taken");
    expect(warned).toContain(`board IA-20RaBbB:CO-PSCtrl-2 (${b.ps2!.boardId}`);
    expect(await page.isDisabled('[data-testid="node-save"]')).toBe(true);
    await axe("node form with a conflict");
    await page.click('[data-testid="node-form"] button:text-is("Reset")');
    // An IP the replaced board now has: saved anyway with a reason, kept in the history.
    await page.click('tr[data-node="IA-20RaBbB--CO-Spare-2"] [data-testid="node-edit"]');
    expect(await warningAfter('[data-testid="node-form"]', "#nd-ip", "10.128.200.11", '[data-testid="node-save"]')).toContain(`board IA-20RaBbB:CO-PSCtrl-1 (${b.shelf!.boardId}`);
    await page.fill('[data-testid="conflict-reason"]', "slot takes over PSCtrl-1's address");
    await page.click('[data-testid="node-save"]');
    await page.waitForSelector('tr[data-node="IA-20RaBbB--CO-Spare-2"] td:text-is("10.128.200.11")', { timeout: 10_000 });
    const [entry] = await historyOf("IA-20RaBbB--CO-Spare-2");
    expect(entry?.data.reason).toBe("slot takes over PSCtrl-1's address");
  });

  it("axe-core finds no serious violation on the pages and dialogs above", () => {
    expect(found).toEqual([]);
  });
});
