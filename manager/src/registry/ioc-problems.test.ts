import { describe, expect, it } from "vitest";
import type { IocReport, IocsPayload, PvReport } from "@bbb/shared";
import { heartbeat, registryFixture, status } from "../../test/registry-fixture.js";
import type { ProblemsChangeEvent } from "../service/events.js";
import { iocProblems, servedPvKeys } from "./ioc-problems.js";

const pv = (name: string, state: PvReport["state"], over: Partial<PvReport> = {}): PvReport => ({
  pv: name,
  state,
  servers: state === "silent" ? [] : ["127.0.0.1:5064"],
  value: null,
  changedAt: null,
  ...over,
});
const ioc = (over: Partial<IocReport> = {}): IocReport => ({
  name: "ioc-ps",
  service: { kind: "systemd", unit: "ioc-ps.service" },
  running: true,
  restarts: 0,
  pid: 10,
  pvs: [],
  ...over,
});
const report = (session: string, iocs: IocReport[]): IocsPayload => ({ v: 1, session, ts: 0, type: "ps", iocs });

describe("iocProblems", () => {
  it("a dead IOC, its silent PVs in one problem, a stopped heartbeat, a PV two servers answer", () => {
    const p = iocProblems(
      report("s", [
        ioc({ running: false, detail: "ActiveState=failed (failed)", pvs: [pv("A:X", "silent"), pv("A:Y", "silent")] }),
        ioc({ name: "ioc-2", pvs: [pv("B:Hb", "stuck", { heartbeatS: 5 }), pv("B:Dup", "ok", { servers: ["10.0.0.1:5064", "10.0.0.2:5064"] })] }),
      ]),
    );
    expect(p.map((x) => [x.code, x.field, x.actual])).toEqual([
      ["ioc-down", "ioc-ps", "ActiveState=failed (failed)"],
      ["pv-silent", "ioc-ps", "A:X,A:Y"],
      ["pv-stuck", "ioc-2", "B:Hb"],
      ["conflict-pv-served", "PV", "B:Dup"],
    ]);
    expect(p[2]?.message).toBe("IOC ioc-2: heartbeat B:Hb unchanged for more than 5 s");
    expect(p[3]?.with).toEqual(["10.0.0.1:5064", "10.0.0.2:5064"]);
  });
  it("an IOC that is fine, or whose state is unknown, is no problem; answering PVs are served keys", () => {
    const r = report("s", [ioc({ running: null, pvs: [pv("A:X", "ok"), pv("A:Hb", "pending"), pv("A:S", "stuck")] })]);
    expect(iocProblems(r).map((x) => x.code)).toEqual(["pv-stuck"]);
    expect(servedPvKeys(r)).toEqual(["v:A:S", "v:A:X"]);
  });
});

describe("registry with IOC reports", () => {
  it("a PV served by two live boards is a conflict on both; a stale session's report is not judged", () => {
    const events: ProblemsChangeEvent[] = [];
    const { reg, advance } = registryFixture({ start: 1000, flapMaxChanges: 4, sink: { problemsChanged: (e) => events.push(e) } });
    for (const [id, ip] of [["b1", "10.0.0.1"], ["b2", "10.0.0.2"]] as const) {
      reg.applyStatus(id, status("online", `s-${id}`), false);
      reg.applyHeartbeat(id, heartbeat(id, `s-${id}`, { ip, type: "ps" }), false);
    }
    const codes = (id: string) => reg.records.get(id)?.problems.map((p) => `${p.code}:${p.with?.join(",") ?? ""}`);
    reg.applyIocs("b1", report("old-session", [ioc({ running: false, pvs: [pv("P:Hb", "ok")] })]));
    expect(codes("b1")).toEqual([]);
    reg.applyIocs("b1", report("s-b1", [ioc({ pvs: [pv("P:Hb", "ok")] })]));
    reg.applyIocs("b2", report("s-b2", [ioc({ pvs: [pv("P:Hb", "ok")] })]));
    expect(codes("b1")).toEqual(["conflict-pv-served:b2"]);
    expect(codes("b2")).toEqual(["conflict-pv-served:b1"]);
    expect(reg.records.get("b1")?.state).toBe("unregistered");
    advance(100);
    reg.applyIocs("b2", report("s-b2", [ioc({ running: false, pvs: [pv("P:Hb", "silent")] })]));
    expect(codes("b1")).toEqual([]);
    expect(codes("b2")).toEqual(["ioc-down:", "pv-silent:"]);
    expect(events.map((e) => [e.boardId, e.state, e.problems.map((p) => p.code).join(",")])).toContainEqual(["b2", "unregistered", "ioc-down,pv-silent"]);
    expect(events).toContainEqual(expect.objectContaining({ boardId: "b1", problems: [] }));
  });
});
