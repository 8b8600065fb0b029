import { applyNode } from "./apply-node.js";
import { identify } from "./identify.js";
import { ping } from "./ping.js";
import { reboot } from "./reboot.js";
import { restartService, stopService } from "./services.js";
import { setHostname } from "./set-hostname.js";
import { setIp } from "./set-ip.js";
import { setNameservers } from "./set-nameservers.js";
import { syncProject } from "./sync-project.js";
import type { ActionMap } from "./types.js";

/** Every action of the contract, one file each; the mapped type makes a missing one a compile error. */
export const actions: ActionMap = {
  reboot,
  "set-hostname": setHostname,
  "set-ip": setIp,
  "set-nameservers": setNameservers,
  "sync-project": syncProject,
  "restart-service": restartService,
  "stop-service": stopService,
  "apply-node": applyNode,
  identify,
  ping,
};
