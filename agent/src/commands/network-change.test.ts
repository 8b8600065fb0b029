import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createRecordingExec } from "../sim/recording-exec.js";
import { createRunner } from "../system/runner.js";
import { createNetworkConfirm } from "./network-confirm.js";

const log = pino({ level: "silent" });

describe("network confirm", () => {
  it("succeeds when the broker is reached again, without reverting", async () => {
    let reconnects = 0;
    const confirm = createNetworkConfirm({
      link: { reconnectNow: () => reconnects++, waitForConnect: async () => true },
      deadlineMs: 1000,
      log,
    });
    let reverted = false;
    const runner = createRunner(createRecordingExec({ mac: "a0:f6:fd:00:00:01", ip: "10.0.0.2" }).exec);
    await confirm([async () => void (reverted = true)], { runner, signal: new AbortController().signal });
    expect(reverted).toBe(false);
    expect(reconnects).toBe(1);
  });

  it("restores (newest first), reconnects and fails with AGENT_E_REVERTED when the deadline passes", async () => {
    let reconnects = 0;
    const confirm = createNetworkConfirm({
      link: { reconnectNow: () => reconnects++, waitForConnect: async () => false },
      deadlineMs: 1000,
      log,
    });
    const order: string[] = [];
    const runner = createRunner(createRecordingExec({ mac: "a0:f6:fd:00:00:01", ip: "10.0.0.2" }).exec);
    await expect(
      confirm([async () => void order.push("hostname"), async () => void order.push("ip")], {
        runner,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: "AGENT_E_REVERTED", data: { reason: "reverted" } });
    expect(order).toEqual(["ip", "hostname"]);
    expect(reconnects).toBe(2);
  });
});
