import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeRoot, type FakeRoot } from "../sim/fake-root.js";
import { createRootedFs } from "../system/rooted-fs.js";
import { createLedBackend, currentTrigger } from "./leds.js";

describe("LED backend", () => {
  let fake: FakeRoot;
  afterEach(() => fake?.cleanup());

  it("reads the bracketed trigger", () => {
    expect(currentTrigger("none rc-feedback [heartbeat] mmc0 timer\n")).toBe("heartbeat");
    expect(currentTrigger("timer")).toBe("timer");
  });

  it("sets timer on usr0..3 and restores the previous triggers when the time is up", async () => {
    fake = await createFakeRoot({ index: 3 });
    const fs = createRootedFs(fake.root);
    let fire: (() => void) | null = null;
    const setTimer = ((f: () => void) => {
      fire = f;
      return { unref() {} } as unknown as NodeJS.Timeout;
    }) as unknown as typeof setTimeout;
    const leds = createLedBackend({
      fs,
      log: pino({ level: "silent" }),
      setTimer,
      clearTimer: () => undefined,
    });
    expect(await leds.blink(5)).toHaveLength(4);
    expect(await fs.readText("/sys/class/leds/beaglebone:green:usr0/trigger")).toBe("timer");
    expect(leds.blinking()).toBe(true);
    (fire as unknown as () => void)();
    await new Promise((r) => setTimeout(r, 50));
    expect(await fs.readText("/sys/class/leds/beaglebone:green:usr0/trigger")).toBe("heartbeat");
    expect(await fs.readText("/sys/class/leds/beaglebone:green:usr1/trigger")).toBe("mmc0");
    expect(leds.blinking()).toBe(false);
  });
});
