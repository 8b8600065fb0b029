import type { ActionDef } from "./types.js";

/** Writes /etc/hostname + /etc/hosts, runs `hostname`, then confirms the broker is reachable. */
export const setHostname: ActionDef<"set-hostname"> = {
  async run({ args, sys, runner, signal }) {
    const previous = await sys.hostname.read();
    if (previous === args.hostname) return { data: { hostname: args.hostname, changed: false } };
    const restore = await sys.hostname.snapshot();
    await sys.hostname.set(args.hostname, runner.run);
    await sys.confirmNetwork([restore], { runner, signal });
    return { data: { hostname: args.hostname, previous, changed: true } };
  },
};
