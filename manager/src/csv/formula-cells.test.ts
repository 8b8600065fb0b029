import { describe, expect, it } from "vitest";
import { nodeSchema, typeSchema } from "@bbb/shared";
import { exportNodesCsv } from "./export-nodes.js";
import { planNodesImport } from "./import-plan.js";
import { escapeFormula, unescapeFormula } from "./formula-cells.js";

describe("formula cells in CSV", () => {
  it("escapes cells a spreadsheet would run, and reads them back unchanged", () => {
    for (const v of ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\t=x", "'=already", "'", "plain", "", "a=b"]) {
      expect(unescapeFormula(escapeFormula(v)), v).toBe(v);
    }
    expect(escapeFormula("=HYPERLINK(\"http://x\")")).toBe("'=HYPERLINK(\"http://x\")");
    expect(escapeFormula("plain")).toBe("plain");
  });

  it("nodes.export never starts a cell with a formula; nodes.import of the export restores the notes", () => {
    const node = nodeSchema.parse({ hostname: "bbb-formula", ip: { mode: "dhcp" }, type: "mbtemp", notes: "=cmd|' /C calc'!A0" });
    const { csv } = exportNodesCsv([node], []);
    const cells = csv.split("\n")[1]?.split(",") ?? [];
    expect(cells.some((c) => /^"?[=+\-@]/.test(c))).toBe(false);
    const types = new Map([["mbtemp", typeSchema.parse({ name: "mbtemp" })]]);
    const plan = planNodesImport(csv, { replace: false }, { nodes: new Map(), types, sectors: [] });
    expect(plan.report.errors).toEqual([]);
    expect(plan.upserts[0]).toMatchObject({ notes: "=cmd|' /C calc'!A0" });
  });
});
