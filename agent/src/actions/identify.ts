import { CodedError } from "@bbb/shared";
import { AgentErrorCodes } from "../errors.js";
import type { ActionDef } from "./types.js";

export const DEFAULT_IDENTIFY_SECONDS = 10;

/**
 * Blinks the user LEDs for N seconds. Succeeds once blinking starts; the LED backend restores
 * the previous triggers by itself, so a long blink does not hold up the command queue.
 */
export const identify: ActionDef<"identify"> = {
  async run({ args, sys, runner }) {
    const seconds = args.seconds ?? DEFAULT_IDENTIFY_SECONDS;
    const leds = await sys.leds.blink(seconds);
    if (leds.length === 0) throw new CodedError(AgentErrorCodes.NO_LEDS, "no user LEDs under /sys/class/leds");
    runner.note(`blinking ${leds.join(", ")} for ${seconds} s`);
    return { data: { seconds, leds } };
  },
};
