import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { createStore } from "../src/store/create-store.js";
import { REPO } from "./helpers.js";

// Every registry edit and its audit record are one transaction: after a SIGKILL in the middle
// of a stream of edits, each stored node has its history record and no batch is half there.
const WRITER = `
import { createStore } from ${JSON.stringify(join(REPO, "manager/dist/store/create-store.js"))};
import { pino } from "pino";
const store = createStore({ dataDir: process.argv[1], log: pino({ level: "silent" }) });
let i = 0;
process.stdout.write("ready\\n");
for (;;) {
  const hostname = "node-" + i;
  const node = { hostname, ip: { mode: "dhcp" }, nameservers: [], type: "mbtemp", sector: null, pvPrefixes: [], boardId: null, notes: "" };
  store.registry.upsertNode(node, { ts: Date.now(), kind: "registry", boardId: null, hostname, by: "writer", message: "node " + hostname + " created", data: null });
  store.history.append(Array.from({ length: 50 }, (_, k) => ({ ts: Date.now(), kind: "state-change", boardId: "b" + i, hostname: null, by: null, message: "batch " + i + " entry " + k, data: null })));
  i++;
}
`;

describe("store after SIGKILL", () => {
  let dir = "";
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("has every node with its audit record and only whole history batches", async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-store-crash-"));
    const child = spawn(process.execPath, ["--input-type=module", "-e", WRITER, dir], {
      cwd: join(REPO, "manager"),
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
    await new Promise((r) => setTimeout(r, 700));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));

    const store = createStore({ dataDir: dir, log: pino({ level: "silent" }) });
    try {
      const nodes = store.registry.listNodes();
      expect(nodes.length).toBeGreaterThan(5);
      const audit = store.history.query({ kind: ["registry"], limit: 5000 });
      expect(new Set(audit.map((h) => h.hostname))).toEqual(new Set(nodes.map((n) => n.hostname)));
      const batches = new Map<string, number>();
      for (const h of store.history.query({ kind: ["state-change"], limit: 5000 })) {
        batches.set(h.boardId ?? "", (batches.get(h.boardId ?? "") ?? 0) + 1);
      }
      // The newest 5000 entries may cut the oldest batch they reach; every other batch is whole.
      const counts = [...batches.entries()]
        .sort((a, b) => Number(b[0].slice(1)) - Number(a[0].slice(1)))
        .map(([, n]) => n);
      expect(counts.slice(0, -1).every((n) => n === 50)).toBe(true);
    } finally {
      store.close();
    }
  });
});
