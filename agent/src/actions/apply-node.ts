import type { IpConfig } from "@bbb/shared";
import type { NetState, Restore } from "../backends/net/types.js";
import type { ActionDef } from "./types.js";

function sameIp(cfg: IpConfig, cur: NetState): boolean {
  if (cfg.mode === "dhcp") return cur.mode === "dhcp";
  return cur.mode === "manual" && cur.ip === cfg.ip && cur.netmask === cfg.netmask && cur.gateway === cfg.gateway;
}
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Adopts the node the manager holds for this board (DESIGN.md "Actions", the old "switch"):
 * hostname, IP, nameservers, type and PV prefix; only what differs is changed. The network part
 * is confirmed like set-ip (and reverted together with the hostname); then the board reboots
 * unless `reboot:false`.
 */
export const applyNode: ActionDef<"apply-node"> = {
  async run({ args, sys, runner, signal, progress, acceptedDelivered }) {
    const changed: string[] = [];
    const restores: Restore[] = [];
    if ((await sys.hostname.read()) !== args.hostname) {
      restores.push(await sys.hostname.snapshot());
      await sys.hostname.set(args.hostname, runner.run);
      changed.push("hostname");
    }
    const cur = await sys.net.read(runner.run);
    const ipDiffers = !sameIp(args.ip, cur);
    const nsDiffers = args.nameservers !== undefined && !sameList(args.nameservers, cur.nameservers);
    if (ipDiffers || nsDiffers) restores.push(await sys.net.snapshot(runner.run));
    if (ipDiffers) {
      await sys.net.setIp(args.ip, runner.run);
      changed.push("ip");
    }
    if (nsDiffers && args.nameservers) {
      await sys.net.setNameservers(args.nameservers, runner.run);
      changed.push("nameservers");
    }
    progress(0.4);
    const before = sys.nodeSettings.get();
    const next = { type: args.type, ...(args.pvPrefix ? { pvPrefix: args.pvPrefix } : {}) };
    await sys.nodeSettings.save(next);
    restores.unshift(() => sys.nodeSettings.save(before));
    if (before.type !== next.type) changed.push("type");
    if (!sameList(before.pvPrefix ?? [], next.pvPrefix ?? [])) changed.push("pvPrefix");
    if (changed.includes("hostname") || ipDiffers || nsDiffers) await sys.confirmNetwork(restores, { runner, signal });
    progress(0.8, { changed });
    if (args.reboot !== false) {
      await acceptedDelivered();
      await sys.systemd.reboot(runner.run);
    }
    return { data: { changed, reboot: args.reboot !== false } };
  },
};
