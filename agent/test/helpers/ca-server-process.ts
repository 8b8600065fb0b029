import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { PvDef } from "./ca-server.js";

const MAIN = join(dirname(fileURLToPath(import.meta.url)), "ca-server-main.ts");

/** Bundles the CA server program once into a temp dir (tests run TypeScript; a child process needs JS). */
export async function bundleCaServer(): Promise<{ file: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "bbb-ca-server-"));
  const file = join(dir, "ca-server.mjs");
  await build({ entryPoints: [MAIN], bundle: true, platform: "node", format: "esm", target: "node20", outfile: file, logLevel: "silent" });
  return { file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface CaServerProcess {
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
}

/** Starts the bundled CA server; resolves once it printed its port. */
export function spawnCaServer(file: string, pvs: PvDef[], port = 0): Promise<CaServerProcess> {
  const child = spawn(process.execPath, [file, JSON.stringify({ port, pvs })], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.setEncoding("utf8");
    child.stdout?.on("data", (d: string) => {
      out += d;
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m?.[1]) resolve({ port: Number(m[1]), child, exited });
    });
    child.once("exit", (code) => reject(new Error(`CA server exited ${code ?? "by signal"} before serving`)));
  });
}
