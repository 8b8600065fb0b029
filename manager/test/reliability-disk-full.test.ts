import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFigure } from "../../scripts/reliability.mjs";
import type { BbbServer } from "../src/create-server.js";
import { captureLogger, startSimBoard, waitFor, type SimBoard, startTestServer } from "./helpers.js";

/**
 * RELIABILITY.md §"Disk full in the data dir" — "Disk full in the data dir: the manager keeps monitoring in memory, reports the error
 * loudly, and recovers when space returns". The data dir is a small tmpfs mounted inside a temp
 * dir (nothing outside it changes); a filler file takes the rest of its space.
 */
function tryMount(dir: string): string | null {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", dir], { stdio: "pipe" });
    return null;
  } catch (e: unknown) {
    return `mount -t tmpfs not permitted here: ${(e as Error).message.split("\n")[0]}`;
  }
}

const base = await mkdtemp(join(tmpdir(), "bbb-rel-disk-"));
const dataDir = join(base, "data");
await mkdir(dataDir);
const skip = tryMount(dataDir);

describe.skipIf(skip !== null)(`disk full in the data dir ${skip ?? ""}`, () => {
  let server: BbbServer;
  let board: SimBoard;
  let http = "";
  const cap = captureLogger("info");
  const admin = { username: "admin", role: "admin" as const, via: "socket" as const };
  const fig: Record<string, number | string> = {};

  beforeAll(async () => {
    const t = await startTestServer({}, { log: cap.log, dataDir, settleMs: 200 });
    server = t.server;
    const s = t.started;
    http = s.urls.http;
    board = await startSimBoard(s.urls.mqtt, 960, { hostname: "disk-b1" });
    await waitFor(() => server.manager.registry.records.get(board.boardId)?.alive, 10_000, "board alive");
    await server.manager.table.get("types.upsert")!.handler({ name: "mbtemp" }, admin);
  });
  afterAll(async () => {
    await board?.stop().catch(() => undefined);
    await server?.stop().catch(() => undefined);
    try {
      execFileSync("umount", [dataDir], { stdio: "pipe" });
    } catch {
      // Not mounted (skipped).
    }
    await rm(base, { recursive: true, force: true });
  });

  const upsert = async (hostname: string) =>
    server.manager.table.get("nodes.upsert")!.handler({ hostname, ip: { mode: "dhcp" }, type: "mbtemp" }, admin);

  it("keeps monitoring, says so loudly, and recovers when space returns", { timeout: 60_000 }, async () => {
    // Fill the disk.
    const filler = join(dataDir, "filler");
    const fh = await open(filler, "w");
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) await fh.write(chunk);
    } catch (e: unknown) {
      expect((e as { code?: string }).code).toBe("ENOSPC");
    }
    await fh.close();
    const tFull = Date.now();

    // An edit fails (the caller learns it), monitoring goes on in memory.
    await expect(upsert("disk-n1")).rejects.toThrow();
    await board.agent.stop();
    await waitFor(() => server.manager.registry.records.get(board.boardId)?.state === "offline" || null, 5000, "offline seen while the disk is full");
    // Loud: an error line, /readyz says why.
    await waitFor(() => cap.lines.some((l) => (l.level as number) >= 50 && /disk|store|history/i.test(String(l.msg))) || null, 5000, "an error log line");
    const ready = await fetch(`${http}/readyz`);
    const body = (await ready.json()) as { status: string; checks?: { sqlite?: { ok: boolean; detail?: string } } };
    fig["/readyz while full"] = `${ready.status} sqlite: ${body.checks?.sqlite?.detail ?? "?"}`;
    expect(ready.status).toBe(503);
    expect(body.checks?.sqlite?.ok).toBe(false);
    await waitFor(async () => {
      const h = (await (await fetch(`${http}/healthz`)).json()) as { store?: { ok: boolean; pending: number } };
      return h.store?.ok === false ? h : null;
    }, 5000, "/healthz store.ok false").then((h) => (fig["/healthz store while full"] = `ok: ${h.store!.ok}, records kept in memory: ${h.store!.pending}`));
    fig["reported after (ms)"] = Date.now() - tFull;

    // Space returns: writes work again, and what happened meanwhile is in the history.
    await rm(filler);
    const tFree = Date.now();
    await waitFor(async () => (await upsert("disk-n2").then(() => true, () => false)) || null, 10_000, "edits work again");
    await waitFor(async () => (await fetch(`${http}/readyz`)).status === 200 || null, 10_000, "ready again");
    fig["recovered after space returned (ms)"] = Date.now() - tFree;
    server.manager.store.flush();
    const rows = server.manager.store.history.query({ boardId: board.boardId, kind: ["state-change"], limit: 100 });
    const offline = rows.filter((r) => (r.data as { to?: string } | null)?.to === "offline").length;
    fig["state changes while full, in history afterwards"] = offline;
    fig["items lost"] = offline === 1 ? 0 : 1;
    expect(offline).toBe(1);
    expect(server.manager.registry.nodes.has("disk-n2")).toBe(true);
    expect(server.manager.store.registry.listNodes().some((n) => n.hostname === "disk-n1")).toBe(false);
    writeFigure("fault-disk-full", {
      kind: "fault",
      title: "Disk full in the data dir (24 MB tmpfs)",
      test: "manager/test/reliability-disk-full.test.ts",
      claim: "Edits fail with an error, monitoring goes on in memory, an error is logged, /readyz answers 503 (sqlite check) and /healthz shows the store unwritable with the records it keeps; once space returns edits work, /readyz is 200 and the history written meanwhile is kept.",
      figures: fig,
      fixed: ["a history batch that failed on a full disk was dropped; it is now kept in memory (bounded, 100,000 records), retried every second, the failure logged once and shown in /healthz."],
    });
  });
});
