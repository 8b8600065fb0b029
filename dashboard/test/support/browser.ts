import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
export const DASHBOARD = resolve(import.meta.dirname, "../..");
export const RESULTS = join(DASHBOARD, "test-results");
export const DOCS_SHOTS = resolve(DASHBOARD, "../docs/screenshots");

/**
 * Debian's headless Chromium with a fresh profile. The background-networking flags keep it
 * from calling out of this machine (closed network); --no-sandbox because tests run as root.
 */
export async function launchBrowser(viewport = { width: 1600, height: 1000 }): Promise<{ context: BrowserContext; page: Page; consoleLines: string[]; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), "bbb-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleLines: string[] = [];
  page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleLines.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    consoleLines,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A screenshot as a test artefact (test-results/); with BBB_UPDATE_SCREENSHOTS=1 also as the
 * current one for the README (docs/screenshots/), so an ordinary test run leaves the tree clean.
 */
export async function screenshot(page: Page, name: string, docs = true): Promise<string> {
  await mkdir(RESULTS, { recursive: true });
  const file = join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (docs && process.env.BBB_UPDATE_SCREENSHOTS === "1") {
    await mkdir(DOCS_SHOTS, { recursive: true });
    await copyFile(file, join(DOCS_SHOTS, `${name}.png`));
  }
  return file;
}

/** One element's screenshot (a panel), kept like `screenshot`. */
export async function screenshotOf(page: Page, selector: string, name: string): Promise<string> {
  await mkdir(RESULTS, { recursive: true });
  const file = join(RESULTS, `${name}.png`);
  await page.locator(selector).screenshot({ path: file });
  if (process.env.BBB_UPDATE_SCREENSHOTS === "1") {
    await mkdir(DOCS_SHOTS, { recursive: true });
    await copyFile(file, join(DOCS_SHOTS, `${name}.png`));
  }
  return file;
}

export async function login(page: Page, url: string, username: string, password: string, serverUrl?: string): Promise<void> {
  await page.goto(url);
  await page.fill("#login-user", username);
  await page.fill("#login-pass", password);
  if (serverUrl) {
    await page.click("details > summary");
    await page.fill("#login-url", serverUrl);
  }
  await page.click('[data-testid="login-submit"]');
  try {
    await page.waitForSelector('[data-testid="connection"][data-status="online"]', { timeout: 15_000 });
  } catch (e: unknown) {
    const why = await page.textContent('[data-testid="login-error"]').catch(() => null);
    throw new Error(`sign-in as ${username} failed: ${why ?? "no error shown"} (${(e as Error).message.split("\n")[0]})`);
  }
}

/**
 * What a browser suite needs and this machine lacks: Chromium and the built files given (repo
 * path → how to build it); warns once, so the suite is skipped with a reason instead of failing.
 */
export function missingForBrowserSuite(suite: string, built: Record<string, string>): string[] {
  const repo = resolve(DASHBOARD, "..");
  const missing = [
    ...(hasChromium ? [] : ["/usr/bin/chromium (Debian package chromium)"]),
    ...Object.entries(built).filter(([f]) => !existsSync(resolve(repo, f))).map(([f, how]) => `${f} (${how})`),
  ];
  if (missing.length > 0) console.warn(`${suite} skipped: missing ${missing.join(", ")}`);
  return missing;
}
