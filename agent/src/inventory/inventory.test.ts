import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { inventorySchema, type Inventory } from "@bbb/shared";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeRoot, type FakeRoot } from "../sim/fake-root.js";
import { createRootedFs, type RootedFs } from "../system/rooted-fs.js";
import { createInventoryReporter } from "./inventory-reporter.js";
import { LIVE_OVERLAYS_DIR, readInventory, uEnvCapeLines } from "./read-inventory.js";

const who = { id: "a0f6fd000001", agentVersion: "0.1.0", nodeVersion: "v18.20.4", now: 1000 };

describe("inventory", () => {
  let fake: FakeRoot | null = null;
  afterEach(async () => {
    await fake?.cleanup();
    fake = null;
  });

  it("reads kernel, image, overlays, uEnv cape lines and storage from a board's root", async () => {
    fake = await createFakeRoot({ index: 1, kernel: "4.14.108-ti-r131", overlays: ["BB-UART1-00A0", "BB-ADC-00A0"] });
    const inv = await readInventory(createRootedFs(fake.root), who);
    expect(inventorySchema.parse(inv)).toEqual({
      v: 1,
      id: who.id,
      ts: 1000,
      kernel: "4.14.108-ti-r131",
      image: "BeagleBoard.org Debian Bullseye IoT Image 2023-09-02",
      debian: "11.8",
      overlays: ["BB-ADC-00A0", "BB-UART1-00A0"],
      uEnv: [
        "enable_uboot_overlays=1",
        "uboot_overlay_addr0=BB-UART1-00A0.dtbo",
        "uboot_overlay_addr1=BB-ADC-00A0.dtbo",
      ],
      node: "v18.20.4",
      agent: "0.1.0",
      storage: [{ name: "mmcblk1", kind: "emmc", bytes: 7471104 * 512 }],
    });
  });

  it("lists no missing overlays folder (no failed readdir), with the same overlays as before", async () => {
    fake = await createFakeRoot({ index: 3, overlays: ["BB-UART1-00A0"] });
    const real = createRootedFs(fake.root);
    const listed: string[] = [];
    const fs: RootedFs = { ...real, readdir: (p) => (listed.push(p), real.readdir(p)) };
    // No configfs on this board: the folder is looked for, never listed.
    expect((await readInventory(fs, who)).overlays).toEqual(["BB-UART1-00A0"]);
    expect(listed).not.toContain(LIVE_OVERLAYS_DIR);
    // One loaded at run time: listed and merged with those U-Boot applied.
    await mkdir(join(fake.root, LIVE_OVERLAYS_DIR, "BB-ADC-00A0"), { recursive: true });
    await mkdir(join(fake.root, LIVE_OVERLAYS_DIR, "BB-UART1-00A0"), { recursive: true });
    expect((await readInventory(fs, who)).overlays).toEqual(["BB-ADC-00A0", "BB-UART1-00A0"]);
    expect(listed).toContain(LIVE_OVERLAYS_DIR);
  });

  it("keeps only uncommented cape and overlay lines of uEnv.txt", () => {
    const text =
      "#uboot_overlay_addr0=X.dtbo\nuname_r=5.10\n  uboot_overlay_pru=AM335X-PRU-RPROC.dtbo\ncmdline=coherent_pool=1M\ndisable_uboot_overlay_video=1\n";
    expect(uEnvCapeLines(text)).toEqual(["uboot_overlay_pru=AM335X-PRU-RPROC.dtbo", "disable_uboot_overlay_video=1"]);
  });

  it("publishes at start and again only when something changed", async () => {
    fake = await createFakeRoot({ index: 2 });
    const fs = createRootedFs(fake.root);
    const sent: Inventory[] = [];
    let t = 0;
    const rep = createInventoryReporter({
      read: () => readInventory(fs, { ...who, now: ++t }),
      publish: (p) => {
        sent.push(inventorySchema.parse(JSON.parse(p)));
        return Promise.resolve(true);
      },
      intervalMs: 3_600_000,
      log: pino({ level: "silent" }),
    });
    await rep.check(false);
    await rep.check(false);
    expect(sent).toHaveLength(1);
    await writeFile(join(fake.root, "proc/sys/kernel/osrelease"), "5.10.200-ti-r80\n");
    await rep.check(false);
    expect(sent.map((i) => i.kernel)).toEqual(["5.10.168-ti-r71", "5.10.200-ti-r80"]);
    await rep.check(true);
    expect(sent).toHaveLength(3);
    rep.stop();
  });
});
