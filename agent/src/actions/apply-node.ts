import type { IpConfig } from "@bbb/shared";
import type { NetState, Restore } from "../backends/net/types.js";
import type { ActionDef } from "./types.js";

function sameIp(cfg: IpConfig, cur: NetState): boolean {
  if (cfg.mode === "dhcp") return cur.mode === "dhcp";
  return cur.mode === "manual" && cur.ip === cfg.ip && cur.netmask === cfg.netmask && cur.gateway === cfg.gateway;
}
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Adopts the node the manager holds for this board (docs/protocol.md §"Commands and results", the old "switch"):
 * hostname, IP, nameservers, type and PV prefix; only what differs is changed. The network part
 * is confirmed like set-ip (and reverted together with the hostname and node settings); then the
 * board reboots unless `reboot:false`, after the final `succeeded` is out (as `reboot` does).
 */
export const applyNode: ActionDef<"apply-node"> = {
  async run({ args, sys, runner, signal, progress, succeedNow }) {
    const changed: string[] = [];
    const restores: Restore[] = [];
    if ((await sys.hostname.read()) !== args.hostname) {
      restores.push(await sys.hostname.snapshot());
      await sys.hostname.set(args.hostname, runner.run);
      changed.push("hostname");
    }
    const before = sys.nodeSettings.get();
    const next = { type: args.type, ...(args.pvPrefix ? { pvPrefix: args.pvPrefix } : {}) };
    await sys.nodeSettings.save(next);
    restores.unshift(() => sys.nodeSettings.save(before));
    const cur = await sys.net.read(runner.run);
    const ipDiffers = !sameIp(args.ip, cur);
    const nsDiffers = args.nameservers !== undefined && !sameList(args.nameservers, cur.nameservers);
    if (ipDiffers || nsDiffers) {
      progress(0.4);
      // The hostname needs no new connection; only a network change is confirmed (and on a
      // revert the hostname and node settings go back with it).
      await sys.changeNetwork(
        restores,
        async (r) => {
          r.push(await sys.net.snapshot(runner.run));
          if (ipDiffers) {
            await sys.net.setIp(args.ip, runner.run);
            changed.push("ip");
          }
          if (nsDiffers && args.nameservers) {
            await sys.net.setNameservers(args.nameservers, runner.run);
            changed.push("nameservers");
          }
        },
        { runner, signal },
      );
    }
    if (before.type !== next.type) changed.push("type");
    if (!sameList(before.pvPrefix ?? [], next.pvPrefix ?? [])) changed.push("pvPrefix");
    progress(0.8, { changed });
    const data = { changed, reboot: args.reboot !== false };
    if (args.reboot !== false) {
      await succeedNow("reboot scheduled", data);
      await sys.systemd.reboot(runner.run);
    }
    return { data };
  },
};
