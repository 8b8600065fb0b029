import type { ActionDef } from "./types.js";

/** Sets the nameservers; confirmed like an IP change since a broker URL may be a DNS name. */
export const setNameservers: ActionDef<"set-nameservers"> = {
  async run({ args, sys, runner, signal }) {
    const restore = await sys.net.snapshot(runner.run);
    await sys.net.setNameservers(args.servers, runner.run);
    await sys.confirmNetwork([restore], { runner, signal });
    return { data: { backend: sys.net.kind, servers: args.servers } };
  },
};
