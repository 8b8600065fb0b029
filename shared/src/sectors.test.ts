import { describe, expect, it } from "vitest";
import { buildSectorIndex, defaultSectors } from "./sectors.js";

describe("sectors", () => {
  const idx = buildSectorIndex(defaultSectors());
  it("ships the Sirius table", () => {
    const names = defaultSectors().map((s) => s.name);
    expect(names).toHaveLength(25);
    expect(names).toEqual(expect.arrayContaining(["1", "19", "20", "Conectividade", "LINAC", "RF", "Fontes", "Outros"]));
  });
  it("finds a board's sector by CIDR containment", () => {
    expect(idx.sectorOf("10.128.10.5")).toBe("1");
    expect(idx.sectorOf("10.128.10.200")).toBe("1");
    expect(idx.sectorOf("10.128.30.77")).toBe("3");
    expect(idx.sectorOf("10.128.190.1")).toBe("19");
    expect(idx.sectorOf("10.128.200.130")).toBe("20");
    expect(idx.sectorOf("10.128.0.9")).toBe("Conectividade");
    expect(idx.sectorOf("10.128.1.200")).toBe("LINAC");
    expect(idx.sectorOf("10.128.25.100")).toBe("RF");
    expect(idx.sectorOf("10.128.75.40")).toBe("Fontes");
    expect(idx.sectorOf("10.128.75.100")).toBe("Outros");
    expect(idx.sectorOf("192.168.1.1")).toBe("Outros");
    expect(idx.sectorOf("not-an-ip")).toBeNull();
  });
  it("prefers the longest prefix", () => {
    const i = buildSectorIndex([{ name: "wide", cidrs: ["10.0.0.0/8"] }, { name: "narrow", cidrs: ["10.1.2.0/24"] }]);
    expect(i.sectorOf("10.1.2.3")).toBe("narrow");
    expect(i.sectorOf("10.9.9.9")).toBe("wide");
    expect(i.cidrOf("10.1.2.3")).toEqual({ network: 0x0a010200, prefix: 24 });
  });
});
