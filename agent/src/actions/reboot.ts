import type { ActionDef } from "./types.js";

/**
 * Reboots the board (docs/protocol.md §"Commands and results": reboot reports accepted before it reboots, so the
 * manager can enter `rebooting`). The shutdown stops this agent, and with it anything it is still
 * running: a blocking `systemctl reboot` killed that way reports "Call to Reboot failed:
 * Connection reset by peer" although the reboot goes on. So: `accepted` is acknowledged by the
 * broker, the final `succeeded` ("reboot scheduled") is acknowledged and stored, and only then
 * `systemctl --no-block reboot` queues the reboot job and returns at once. Only a refusal
 * of that call itself (a non-zero exit) is reported, as `failed` with its output.
 */
export const reboot: ActionDef<"reboot"> = {
  async run({ sys, runner, acceptedDelivered, succeedNow }) {
    await acceptedDelivered();
    await succeedNow("reboot scheduled");
    await sys.systemd.reboot(runner.run);
    return {};
  },
};
