import type { ActionDef } from "./types.js";

/**
 * `systemctl reboot` (issue "Remote commands": reboot reports accepted before it reboots, so
 * the manager can enter `rebooting`). If the board goes down before `succeeded` leaves, the
 * result store closes the request as succeeded after the restart.
 */
export const reboot: ActionDef<"reboot"> = {
  async run({ sys, runner, acceptedDelivered }) {
    await acceptedDelivered();
    await sys.systemd.reboot(runner.run);
    return {};
  },
};
