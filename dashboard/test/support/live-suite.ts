import { rm } from "node:fs/promises";
import { launchBrowser, login } from "./browser.js";
import { buildDashboard } from "./build.js";
import * as fleet from "./fleet.js";

type Live = Awaited<ReturnType<typeof fleet.startLiveBoard>>;

/**
 * A browser suite on demo boards: the dashboard built as shipped, the real server serving it, an
 * admin client, an operator "op", demo boards started by key, Chromium signed in as op. `stop()`
 * undoes all of it, telling the browser's console errors.
 */
export async function startLiveSuite(viewport = { width: 1280, height: 720 }) {
  const staticDir = await buildDashboard();
  const server = await fleet.startServer(staticDir);
  const url = server.started.urls.http;
  const mqttUrl = server.started.urls.mqtt;
  const admin = await fleet.connectAdmin(mqttUrl);
  await fleet.addUser(admin, "op", "operator", "operator-password");
  const boards: Record<string, Live> = {};
  let browser: Awaited<ReturnType<typeof launchBrowser>> | null = null;
  return {
    fleet,
    server,
    url,
    mqttUrl,
    admin,
    boards,
    async start(key: string, index: number, hostname: string, ip: string): Promise<Live> {
      return (boards[key] = await fleet.startLiveBoard(mqttUrl, index, hostname, ip));
    },
    async openBrowser() {
      browser = await launchBrowser(viewport);
      await login(browser.page, url, "op", "operator-password");
      return browser;
    },
    async stop(): Promise<void> {
      const errors = browser?.consoleLines.filter((l) => /^(error|pageerror)/.test(l)) ?? [];
      if (errors.length > 0) console.warn(`browser console errors:\n${errors.slice(-20).join("\n")}`);
      await browser?.close();
      for (const x of Object.values(boards)) {
        await x.close();
        await x.root.cleanup();
      }
      admin.end(true);
      await server.stop();
      await rm(staticDir, { recursive: true, force: true });
    },
  };
}
export type LiveSuite = Awaited<ReturnType<typeof startLiveSuite>>;
