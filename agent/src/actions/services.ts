import type { ActionDef, ActionSystem } from "./types.js";

/** Only allow-listed units (docs/protocol.md §"Commands and results": restart-service/stop-service take only allow-listed units). */
function allowListed(args: { name: string }, sys: ActionSystem): string | null {
  return sys.config.services.includes(args.name) ? null : `service ${args.name} is not in the agent's allow-list`;
}

export const restartService: ActionDef<"restart-service"> = {
  check: allowListed,
  async run({ args, sys, runner }) {
    await sys.systemd.restart(args.name, runner.run);
    return { data: { name: args.name } };
  },
};

export const stopService: ActionDef<"stop-service"> = {
  check: allowListed,
  async run({ args, sys, runner }) {
    await sys.systemd.stop(args.name, runner.run);
    return { data: { name: args.name } };
  },
};
