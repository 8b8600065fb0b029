import type { ActionDef } from "./types.js";

/** Changes eth0's IPv4 configuration through the detected backend; reverted if the broker is lost. */
export const setIp: ActionDef<"set-ip"> = {
  async run({ args, sys, runner, signal }) {
    await sys.changeNetwork(
      [],
      async (restores) => {
        restores.push(await sys.net.snapshot(runner.run));
        await sys.net.setIp(args, runner.run);
      },
      { runner, signal },
    );
    return { data: { backend: sys.net.kind, ...args } };
  },
};
