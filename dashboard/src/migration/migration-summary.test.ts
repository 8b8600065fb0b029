import { describe, expect, it } from "vitest";
import type { BoardRow } from "../table/board-row.js";
import { migrationSummary, rolloutCommand } from "./migration-summary.js";

const row = (id: string, sector: string, agent: string, ip = "10.0.0.1", hostname = id): BoardRow =>
  ({ id, key: id, sector, agent, ip, hostname }) as unknown as BoardRow;

describe("migration summary", () => {
  it("counts boards per agent kind per sector, nodes without a board left out", () => {
    const s = migrationSummary([
      row("a", "2", "bbb-agent"),
      row("b", "2", "bbbread"),
      row("c", "10", "bbb-daemon"),
      row("d", "10", "bbbread"),
      row("n", "3", ""),
    ]);
    expect(s.total).toBe(4);
    expect(s.totals).toEqual({ "bbb-agent": 1, bbbread: 2, "bbb-daemon": 1 });
    expect(s.sectors.map((x) => x.sector)).toEqual(["2", "10"]);
    expect(s.sectors[1]?.legacy.map((r) => r.id)).toEqual(["c", "d"]);
  });

  it("the rollout command writes the hosts file and calls bbbctl rollout", () => {
    expect(rolloutCommand("LINAC", ["10.128.1.5", "10.128.1.6"], "bbb-agent_0.1.0_armhf.deb")).toBe(
      "printf '%s\\n' 10.128.1.5 10.128.1.6 > hosts-LINAC.txt && bbbctl rollout --hosts hosts-LINAC.txt --deb bbb-agent_0.1.0_armhf.deb",
    );
    expect(rolloutCommand("a b", ["10.0.0.1"], "my file.deb")).toContain("--deb 'my file.deb'");
  });
});
