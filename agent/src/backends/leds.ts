import type { Logger } from "pino";
import type { RootedFs } from "../system/rooted-fs.js";

export const LED_DIR = "/sys/class/leds";
export const BBB_LEDS = [0, 1, 2, 3].map((i) => `beaglebone:green:usr${i}`);

/** The active trigger in a sysfs `trigger` file: the bracketed entry (`none [heartbeat] mmc0`). */
export function currentTrigger(text: string): string {
  const m = /\[([^\]]+)\]/.exec(text);
  return m?.[1] ?? (text.trim().split(/\s+/)[0] || "none");
}

/**
 * The four user LEDs. `identify` sets trigger `timer` for N seconds, then restores
 * the previous triggers. sysfs attributes cannot be renamed over, so these are the only
 * in-place writes of the agent.
 */
export function createLedBackend(deps: {
  fs: RootedFs;
  log: Logger;
  setTimer?: typeof setTimeout;
  clearTimer?: typeof clearTimeout;
}) {
  const setTimer = deps.setTimer ?? setTimeout;
  const clearTimer = deps.clearTimer ?? clearTimeout;
  let saved: Map<string, string> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const present = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const n of BBB_LEDS) if (await deps.fs.exists(`${LED_DIR}/${n}/trigger`)) out.push(n);
    return out;
  };
  const restore = async () => {
    if (timer) clearTimer(timer);
    timer = null;
    const s = saved;
    saved = null;
    if (!s) return;
    for (const [led, trig] of s) {
      try {
        await deps.fs.writeInPlace(`${LED_DIR}/${led}/trigger`, trig);
      } catch (e: unknown) {
        deps.log.warn({ err: e, led }, "led restore failed");
      }
    }
  };
  return {
    present,
    /** Blinks for `seconds`; a second call while blinking extends the time. Returns the LEDs used. */
    async blink(seconds: number): Promise<string[]> {
      const leds = await present();
      if (!saved) {
        saved = new Map();
        for (const led of leds)
          saved.set(led, currentTrigger((await deps.fs.tryReadSmall(`${LED_DIR}/${led}/trigger`, 4096)) ?? "none"));
      }
      for (const led of leds) await deps.fs.writeInPlace(`${LED_DIR}/${led}/trigger`, "timer");
      if (timer) clearTimer(timer);
      timer = setTimer(() => void restore(), seconds * 1000);
      timer.unref?.();
      return leds;
    },
    restore,
    blinking: () => saved !== null,
  };
}
export type LedBackend = ReturnType<typeof createLedBackend>;
