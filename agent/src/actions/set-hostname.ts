import type { ActionDef } from "./types.js";

/**
 * Writes /etc/hostname + /etc/hosts and runs `hostname`. No network change, so the broker link is
 * left alone: a reconnect would only let the manager see the board drop (docs/protocol.md §"Commands and results").
 */
export const setHostname: ActionDef<"set-hostname"> = {
  async run({ args, sys, runner }) {
    const previous = await sys.hostname.read();
    if (previous === args.hostname) return { data: { hostname: args.hostname, changed: false } };
    await sys.hostname.set(args.hostname, runner.run);
    return { data: { hostname: args.hostname, previous, changed: true } };
  },
};
