import { launchBrowser, login } from "./browser.js";

/**
 * An operator's round trip in Chromium: signs in at `http`, waits for `boards` boards in the
 * list, runs `identify` on `boardId` from its page and waits for the final result. Returns the
 * connection status shown at the end.
 */
export async function identifyInDashboard(http: string, user: string, password: string, boards: number, boardId: string): Promise<string | null> {
  const b = await launchBrowser({ width: 1280, height: 900 });
  try {
    const page = b.page;
    await login(page, `${http}/`, user, password);
    await page.waitForFunction((n) => document.querySelector('[data-testid="total"]')?.textContent === String(n), boards, { timeout: 20_000 });
    await page.goto(`${http}/#/board/${boardId}`);
    await page.waitForSelector('[data-testid="heartbeat"]');
    await page.click('[data-testid="board-actions"] [data-action="identify"]');
    await page.click('[data-testid="action-next"]');
    await page.click('[data-testid="action-confirm"]');
    await page.waitForSelector(`[data-testid="run-progress"] li[data-board="${boardId}"] [data-testid="run-status"]:text-matches("succeeded|failed")`, { timeout: 20_000 });
    await page.click('[data-testid="action-close"]');
    return await page.getAttribute('[data-testid="connection"]', "data-status");
  } finally {
    await b.close();
  }
}
