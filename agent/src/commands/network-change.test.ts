import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createRecordingExec } from "../sim/recording-exec.js";
import { createRunner } from "../system/runner.js";
import { createNetworkChange, type ConfirmLink } from "./network-change.js";

const log = pino({ level: "silent" });

/** A link that records what happened to it, in order, and answers waitForConnect with `reached`. */
function fakeLink(reached: boolean) {
  const events: string[] = [];
  const link: ConfirmLink = {
    disconnect: async () => void events.push("disconnect"),
    reconnectNow: async () => void events.push("reconnect"),
    waitForConnect: async () => reached,
  };
  return { link, events };
}
const runner = () => createRunner(createRecordingExec({ mac: "a0:f6:fd:00:00:01", ip: "10.0.0.2" }).exec);

describe("network change", () => {
  it("leaves the broker cleanly before the change, reconnects after it, and does not revert when reached", async () => {
    const { link, events } = fakeLink(true);
    const change = createNetworkChange({ link, deadlineMs: 1000, log });
    const value = await change(
      [],
      async (restores) => {
        events.push("apply");
        restores.push(async () => void events.push("restore"));
        return 42;
      },
      { runner: runner(), signal: new AbortController().signal },
    );
    expect(value).toBe(42);
    expect(events).toEqual(["disconnect", "apply", "reconnect"]);
  });

  it("restores (newest first), reconnects and fails with AGENT_E_REVERTED when the deadline passes", async () => {
    const { link, events } = fakeLink(false);
    const change = createNetworkChange({ link, deadlineMs: 1000, log });
    await expect(
      change(
        [async () => void events.push("restore hostname")],
        async (restores) => void restores.push(async () => void events.push("restore ip")),
        { runner: runner(), signal: new AbortController().signal },
      ),
    ).rejects.toMatchObject({ code: "AGENT_E_REVERTED", data: { reason: "reverted" } });
    expect(events).toEqual(["disconnect", "reconnect", "restore ip", "restore hostname", "reconnect"]);
  });

  it("a change that fails half-way still reconnects before its error is reported", async () => {
    const { link, events } = fakeLink(true);
    const change = createNetworkChange({ link, deadlineMs: 1000, log });
    await expect(
      change(
        [],
        async () => {
          throw new Error("connmanctl exited with 1");
        },
        { runner: runner(), signal: new AbortController().signal },
      ),
    ).rejects.toThrow("connmanctl exited with 1");
    expect(events).toEqual(["disconnect", "reconnect"]);
  });
});
