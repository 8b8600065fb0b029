import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { LISTEN_BACKLOG } from "../src/listeners.js";
import { useBroker } from "./helpers.js";

const tb = useBroker();

it("the MQTT listener queues as many connections as the kernel allows, not Node's 511", () => {
  const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));
  // `ss -l` shows a listening socket's backlog in its Send-Q column.
  const line = execFileSync("ss", ["-Hltn", "sport", "=", `:${tb.port}`], { encoding: "utf8" }).trim().split("\n")[0] ?? "";
  const sendQ = Number(line.trim().split(/\s+/)[2]);
  expect(sendQ).toBe(Math.min(LISTEN_BACKLOG, somaxconn));
  if (somaxconn > 511) expect(sendQ).toBeGreaterThan(511);
});
