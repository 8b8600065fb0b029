import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { pino } from "pino";
import { createShutdown } from "./graceful-shutdown.js";

function captureLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split("\n")) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: "info" }, sink), lines };
}

const exited = () => {
  let resolve: (code: number) => void = () => {};
  const code = new Promise<number>((r) => (resolve = r));
  return { code, exit: (c: number) => resolve(c) };
};

describe("graceful shutdown", () => {
  it("exits 0 after a clean stop, once, whatever the number of signals", async () => {
    const { log, lines } = captureLogger();
    let stops = 0;
    const e = exited();
    const onSignal = createShutdown({ stop: async () => void stops++, log, timeoutMs: 5000, exit: e.exit });
    onSignal("SIGTERM");
    onSignal("SIGINT");
    expect(await e.code).toBe(0);
    expect(stops).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(["stopping", "stopped"]);
  });

  it("exits 1 with a log line when the stop hangs past the bound, or fails", async () => {
    const hung = captureLogger();
    const e = exited();
    createShutdown({ stop: () => new Promise(() => {}), log: hung.log, timeoutMs: 50, exit: e.exit })("SIGTERM");
    expect(await e.code).toBe(1);
    expect(hung.lines.at(-1)).toMatchObject({
      level: 50,
      msg: "clean stop took too long: exiting anyway",
      timeoutMs: 50,
    });
    const failed = captureLogger();
    const f = exited();
    createShutdown({ stop: () => Promise.reject(new Error("x")), log: failed.log, timeoutMs: 5000, exit: f.exit })(
      "SIGINT",
    );
    expect(await f.code).toBe(1);
    expect(failed.lines.at(-1)).toMatchObject({ msg: "stop failed" });
  });
});
