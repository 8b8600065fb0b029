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
].filter(Boolean);

type Fleet = typeof import("./support/fleet.js");
const ALICE_PW = "alice-password-0123";

describe.skipIf(missing.length > 0)("sessions and audit trail in headless Chromium against the real server", () => {
  let fleet: Fleet;
  let server: Awaited<ReturnType<Fleet["startServer"]>>;
  let staticDir: string;
  let admin: MqttClient;
  let adminTab: Awaited<ReturnType<typeof launchBrowser>>;
  let aliceTab: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let url: string;
  let token: string;
  let tokenId: string;
  /** Times the server closed alice's dashboard WebSocket. */
  const aliceClosed: number[] = [];

  const rest = (path: string, headers: Record<string, string>, method = "GET") => fetch(`${url}${path}`, { method, headers });

  beforeAll(async () => {
    fleet = await import("./support/fleet.js");
    const { buildDashboard } = await import("./support/build.js");
    staticDir = await buildDashboard();
    const { createFrontExtension } = await import("@bbb/manager");
    // REST and its tokens come with the front extension (its command socket on an ephemeral port).
    server = await fleet.startServer(staticDir, { cmdPort: 0 }, [createFrontExtension()]);
    url = server.started.urls.http;
    admin = await fleet.connectAdmin(server.started.urls.mqtt);
    await fleet.addUser(admin, "alice", "operator", ALICE_PW);
    // Alice's session: an API token minted with her password.
    const r = await rest("/api/auth/token", { authorization: `Basic ${Buffer.from(`alice:${ALICE_PW}`).toString("base64")}` }, "POST");
    expect(r.status).toBe(200);
    token = ((await r.json()) as { token: string }).token;
    const listed = (await fleet.ok(admin, "tokens.list", { username: "alice" })) as { items: { id: string }[] };
    tokenId = listed.items[0]!.id;
    adminTab = await launchBrowser({ width: 1280, height: 900 });
    aliceTab = await launchBrowser({ width: 1280, height: 900 });
    page = adminTab.page;
    page.on("dialog", (d) => void d.accept());
    aliceTab.page.on("websocket", (ws) => ws.on("close", () => aliceClosed.push(Date.now())));
  });

  afterAll(async () => {
    await adminTab?.close();
    await aliceTab?.close();
    admin?.end(true);
    await server?.stop();
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
  });

  it("an admin sees another user's session and revokes it: the token is refused at once", async () => {
    await login(aliceTab.page, url, "alice", ALICE_PW);
    expect((await rest("/api/hosts", { authorization: `Bearer ${token}` })).status).toBe(200);
    await login(page, url, "admin", fleet.ADMIN_PASSWORD);
    await page.goto(`${url}/#/manage/users`);
    const row = `[data-testid="session"][data-id="${tokenId}"]`;
    await page.waitForSelector(row);
    expect(await page.textContent(`[data-testid="sessions"] tr[data-user="alice"]`)).toContain(tokenId);
    await page.click(`${row} button:has-text("Revoke")`);
    await page.waitForSelector(row, { state: "detached" });
    expect(await page.textContent('[data-testid="sessions-result"]')).toContain(`session ${tokenId} of alice revoked`);
    expect((await rest("/api/hosts", { authorization: `Bearer ${token}` })).status).toBe(401);
    const left = (await fleet.ok(admin, "tokens.list", { username: "alice" })) as { items: unknown[] };
    expect(left.items).toHaveLength(0);
  });

  it("sign out everywhere closes alice's live dashboard connection", async () => {
    expect(aliceClosed).toHaveLength(0);
    await page.click('[data-testid="sessions"] tr[data-user="alice"] [data-testid="sign-out"]');
    await page.waitForFunction(() => /alice signed out everywhere/.test(document.querySelector('[data-testid="sessions-result"]')?.textContent ?? ""));
    const said = (await page.textContent('[data-testid="sessions-result"]')) ?? "";
    expect(said).toMatch(/0 session\(s\) revoked, [1-9]\d* connection\(s\) closed/);
    await fleet.waitFor(() => aliceClosed.length > 0, 5000, "alice's WebSocket to close");
    // The admin's own connection stays.
    expect(await page.getAttribute('[data-testid="connection"]', "data-status")).toBe("online");
    await screenshot(page, "manage-sessions", false);
  });

  it("the audit view shows the revoke with its redacted parameters, filtered by method", async () => {
    await page.goto(`${url}/#/manage/audit`);
    await page.waitForSelector('[data-testid="audit-row"][data-method="users.signOut"]');
    await page.fill("#au-method", "tokens.revoke");
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="audit-row"]')].every((r) => r.getAttribute("data-method") === "tokens.revoke"));
    const rows = page.locator('[data-testid="audit-row"]');
    expect(await rows.count()).toBe(1);
    const revoke = rows.first();
    expect(await revoke.getAttribute("data-user")).toBe("admin");
    const cells = await revoke.locator("td").allTextContents();
    expect(cells.slice(1, 7)).toEqual(["admin", "admin", "mqtt", expect.any(String), "tokens.revoke", "ok"]);
    await revoke.locator("summary").click();
    expect(await revoke.locator("pre").textContent()).toContain(`"id": "${tokenId}"`);
    await page.fill("#au-user", "nobody");
    await page.click('form.filters button[type="submit"]');
    await page.waitForSelector('[data-testid="audit-empty"]');
  });

  it("reads on a phone: one card per row, nothing wider than the screen", async () => {
    await page.click('form.filters button:has-text("Clear")');
    await page.waitForSelector('[data-testid="audit-row"][data-method="users.signOut"]');
    await page.setViewportSize({ width: 390, height: 844 });
    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, head: getComputedStyle(document.querySelector('[data-testid="audit"] thead')!).display }));
    expect(widths.head).toBe("none");
    expect(widths.doc).toBeLessThanOrEqual(390);
    await screenshot(page, "manage-audit-phone", false);
  });
});
