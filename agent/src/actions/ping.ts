import type { ActionDef } from "./types.js";

/** Round trip check: answers with the board's clock, session and uptime. */
export const ping: ActionDef<"ping"> = {
  async run({ sys, runner }) {
    runner.note("pong");
    return { data: { ts: sys.clock.now(), session: sys.session, uptime: await sys.uptime() } };
  },
};
