#!/usr/bin/env node
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { createInterface } from "node:readline";
import { isYes } from "./confirm.js";
import { runCli } from "./program.js";

// The only place of the CLI that touches the process: argv, env, streams, signals, exit code.
let onInterrupt: () => void = () => {};
const interrupted = new Promise<void>((resolve) => (onInterrupt = resolve));
process.once("SIGINT", () => onInterrupt());
process.once("SIGTERM", () => onInterrupt());
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  // `bbbctl hosts | head` closes the pipe early: not an error worth a stack trace.
  if (e.code === "EPIPE") process.exit(0);
});

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  home: homedir(),
  stderrTty: process.stderr.isTTY === true,
  now: Date.now,
  readFile: (p) => (p === "-" ? readStdin() : readFile(p, "utf8")),
  interrupted,
  ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: askTerminal } : {}),
});
process.exitCode = code;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

/** One line from the terminal; end of input (Ctrl-D) or Ctrl-C declines. */
function askTerminal(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    let answer: string | null = null;
    rl.once("close", () => resolve(isYes(answer)));
    rl.once("SIGINT", () => rl.close());
    rl.question(question, (a) => {
      answer = a;
      rl.close();
    });
  });
}
