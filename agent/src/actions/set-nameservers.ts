import type { ActionDef } from "./types.js";

/** Sets the nameservers; confirmed like an IP change since a broker URL may be a DNS name. */
export const setNameservers: ActionDef<"set-nameservers"> = {
  async run({ args, sys, runner, signal }) {
    await sys.changeNetwork(
      [],
      async (restores) => {
        restores.push(await sys.net.snapshot(runner.run));
        await sys.net.setNameservers(args.servers, runner.run);
      },
      { runner, signal },
    );
    return { data: { backend: sys.net.kind, servers: args.servers } };
  },
};
