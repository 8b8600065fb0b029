import { describe, expect, it } from "vitest";
import { movedTo, parseBbbreadHash, parseBbbreadKey } from "./bbbread-hash.js";
import { legacyBoardId, legacyHeartbeat } from "./legacy-board.js";
import { sectorFromBbbread, sectorToBbbread } from "./sector-names.js";

// The example of docs/legacy-protocols.md "bbbread hash".
const example = {
  name: "BBB-SANDBOX-01",
  sector: "IA-01",
  ip_type: "manual",
  ip_address: "10.128.101.150",
  nameservers: "10.128.255.5, 10.0.0.71",
  state: "2",
  state_string: "Connected",
  type: "1",
  heartbeat: "1",
  disk_usage: "9.44%",
  ping_time: "1796513026",
  details: "Power supply\tbaudrate=115200",
};

describe("bbbread hashes", () => {
  it("maps the documented example", () => {
    const b = parseBbbreadHash("BBB:10.128.101.150:LA-RaCtrl--CO-Srv-1", example);
    expect(b).toEqual({
      agent: "bbbread",
      ip: "10.128.101.150",
      hostname: "LA-RaCtrl--CO-Srv-1",
      ipMode: "manual",
      nameservers: ["10.128.255.5", "10.0.0.71"],
      claimedSector: "1",
      typeCode: 1,
      details: "Power supply",
      baudrate: 115200,
      diskUsedPct: 9.44,
    });
    const hb = legacyHeartbeat(b!, legacyBoardId(b!.ip), "s1", 1, 5);
    expect(hb).toMatchObject({
      id: "legacy-10-128-101-150",
      type: "power-supply",
      legacyAgent: "bbbread",
      diskUsedPct: 9.44,
    });
  });

  it("keys: boards only, never their :Command / :Logs lists, never a bad IP", () => {
    expect(parseBbbreadKey("BBB:10.0.0.1:host-1")).toEqual({ ip: "10.0.0.1", hostname: "host-1" });
    expect(parseBbbreadKey("BBB:10.0.0.1:host-1:Command")).toBeNull();
    expect(parseBbbreadKey("BBB:10.0.0.1:host-1:Logs")).toBeNull();
    expect(parseBbbreadKey("BBB:10.0.0.256:host-1")).toBeNull();
    expect(parseBbbreadKey("DisconnectedWarn")).toBeNull();
  });

  it("moved hashes are left alone: the client's BBB:… marker and the old monitor's Moved - …", () => {
    expect(movedTo({ state_string: "BBB:10.0.0.2:host-1" })).toBe("BBB:10.0.0.2:host-1");
    expect(movedTo({ state_string: "Moved - BBB:10.0.0.2:host-1" })).toBe("BBB:10.0.0.2:host-1");
    expect(parseBbbreadHash("BBB:10.0.0.1:host-1", { state_string: "Moved - BBB:10.0.0.2:host-1" })).toBeNull();
  });

  it("odd values are left out rather than guessed", () => {
    const b = parseBbbreadHash("BBB:10.0.0.1:h", {
      ip_type: "0.0.0.0",
      disk_usage: "lots",
      type: "x",
      nameservers: "none",
    });
    expect(b).toEqual({ agent: "bbbread", ip: "10.0.0.1", hostname: "h" });
  });

  it("a sector named like an object's own property is just a name", () => {
    for (const sector of ["__proto__", "constructor", "toString"]) {
      expect(sectorFromBbbread(sector)).toBe(sector);
      expect(parseBbbreadHash("BBB:10.0.0.1:h", { ...example, sector })?.claimedSector).toBe(sector);
    }
  });

  it("sector names both ways", () => {
    expect(sectorFromBbbread("IA-07")).toBe("7");
    expect(sectorFromBbbread("LINAC Area")).toBe("LINAC");
    expect(sectorFromBbbread("Power Area")).toBe("Fontes");
    expect(sectorFromBbbread("Others")).toBe("Outros");
    expect(sectorToBbbread("7")).toBe("IA-07");
    expect(sectorToBbbread("Fontes")).toBe("Power Area");
  });
});
