import type { HostView, Inventory } from "@bbb/shared";
import { describe, expect, it } from "vitest";
import { boardsWith, csvCell, inventoryCsv, valueCounts } from "./inventory-stats.js";

const inv = (kernel: string, overlays: string[]): Inventory => ({
  v: 1,
  id: "x",
  ts: 0,
  kernel,
  image: "BeagleBoard.org Debian Bullseye IoT Image 2023-09-02",
  debian: "11.8",
  overlays,
  uEnv: ["uboot_overlay_addr0=BB-UART1-00A0.dtbo"],
  node: "v18.20.4",
  agent: "0.1.0",
  storage: [{ name: "mmcblk1", kind: "emmc", bytes: 3825205248 }],
});
const view = (id: string, i: Inventory | null): HostView => ({
  v: 1,
  id,
  state: "online",
  stateSince: 0,
  lastSeen: 0,
  problems: [],
  flapping: false,
  sector: "1",
  session: null,
  node: null,
  heartbeat: null,
  agent: "bbb-agent",
  inventory: i,
});

describe("inventory view", () => {
  const fleet = [
    view("a", inv("5.10.168", ["B", "A"])),
    view("b", inv("5.10.168", ["A"])),
    view("c", inv("4.14", [])),
    view("d", null),
  ];
  it("counts boards per value, most common first, boards without an inventory as (none)", () => {
    expect(valueCounts(fleet, "kernel")).toEqual([
      { value: "5.10.168", count: 2 },
      { value: "(none)", count: 1 },
      { value: "4.14", count: 1 },
    ]);
    expect(valueCounts(fleet, "overlays").map((c) => c.value)).toEqual(["(none)", "A", "A,B"]);
    expect(valueCounts(fleet, "storage")[0]).toEqual({ value: "emmc 3.6 GiB", count: 3 });
  });
  it("filters the boards on a value", () => {
    expect(boardsWith(fleet, "kernel", "5.10.168").map((h) => h.id)).toEqual(["a", "b"]);
    expect(boardsWith(fleet, "kernel", "(none)").map((h) => h.id)).toEqual(["d"]);
  });
  it("exports CSV with quoting and formula cells made harmless", () => {
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    const lines = inventoryCsv(fleet).split("\r\n");
    expect(lines[0]).toBe("id,name,state,sector,type,kernel,image,debian,overlays,uEnv,node,agent,storage");
    expect(lines[1]).toBe(
      'a,a,online,1,,5.10.168,BeagleBoard.org Debian Bullseye IoT Image 2023-09-02,11.8,"A,B",uboot_overlay_addr0=BB-UART1-00A0.dtbo,v18.20.4,0.1.0,emmc 3.6 GiB',
    );
    expect(lines[4]).toBe("d,d,online,1,,,,,,,,,");
  });
});
