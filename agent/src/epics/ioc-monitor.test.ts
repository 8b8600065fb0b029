import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { iocsPayloadSchema, type IocsPayload, type PvReport } from "@bbb/shared";
import { createIocMonitor } from "./ioc-monitor.js";
import type { IocServiceProbe } from "./ioc-service.js";
import type { PvWatch } from "./pv-watch.js";

/** The monitor with recording collaborators: what it follows, polls and publishes. */
function setup() {
  let type = "ps";
  let t = 0;
  let running = true;
  const followed: (string | null)[] = [];
  const published: IocsPayload[] = [];
  const polled: string[][] = [];
  const services: IocServiceProbe = { probe: () => Promise.resolve({ running, restarts: 0, pid: running ? 5 : null }) };
  const pvs: PvWatch = {
    poll: (names) => {
      polled.push([...names]);
      return Promise.resolve();
    },
    report: (pv, heartbeatS): PvReport => ({ pv, state: "ok", servers: ["127.0.0.1:5064"], value: String(t), changedAt: t, ...(heartbeatS ? { heartbeatS } : {}) }),
    close: () => undefined,
  };
  const m = createIocMonitor({
    session: "s1",
    now: () => t,
    log: pino({ level: "silent" }),
    services,
    pvs,
    currentType: () => type,
    pvPrefixes: () => ["A:", "B:"],
    typeTopic: (ty) => `bbb/registry/types/${ty}`,
    follow: (topic) => followed.push(topic),
    publish: (p) => published.push(iocsPayloadSchema.parse(JSON.parse(p))),
    pollMs: 1000,
    refreshMs: 60_000,
  });
  const decl = (iocs: unknown) => Buffer.from(JSON.stringify({ name: "ps", description: "x", iocs }));
  return {
    m, followed, published, polled, decl,
    setType: (ty: string) => void (type = ty),
    advance: (ms: number) => void (t += ms),
    setRunning: (r: boolean) => void (running = r),
  };
}

describe("createIocMonitor", () => {
  it("follows its type, expands $(P) per prefix, publishes on change and on the refresh only", async () => {
    const s = setup();
    await s.m.poll();
    expect(s.followed).toEqual(["bbb/registry/types/ps"]);
    expect(s.published).toHaveLength(0);
    expect(s.m.handle("bbb/registry/types/other", s.decl([]))).toBe(false);
    s.m.handle("bbb/registry/types/ps", s.decl([{ name: "ioc", service: { kind: "systemd", unit: "ioc.service" }, pvs: [{ pv: "$(P)Hb", heartbeatS: 3 }, { pv: "Fixed:PV" }] }]));
    await s.m.poll();
    expect(s.polled.at(-1)).toEqual(["A:Hb", "B:Hb", "Fixed:PV"]);
    expect(s.published).toHaveLength(1);
    expect(s.published[0]?.iocs[0]).toMatchObject({ name: "ioc", running: true, pid: 5 });
    s.advance(10_000);
    await s.m.poll();
    expect(s.published).toHaveLength(1);
    s.setRunning(false);
    await s.m.poll();
    expect(s.published.at(-1)?.iocs[0]).toMatchObject({ running: false, pid: null });
    s.advance(60_000);
    await s.m.poll();
    expect(s.published).toHaveLength(3);
    s.m.resend();
    await s.m.poll();
    expect(s.published).toHaveLength(4);
  });

  it("a bad declaration is ignored; no IOCs: no report, unless IOCs were reported before; a new type is followed", async () => {
    const s = setup();
    await s.m.poll();
    s.m.handle("bbb/registry/types/ps", Buffer.from('{"iocs":[{"name":"bad name!"}]}'));
    await s.m.poll();
    expect(s.published).toHaveLength(0);
    s.m.handle("bbb/registry/types/ps", Buffer.alloc(0));
    await s.m.poll();
    expect(s.published).toHaveLength(0);
    s.m.handle("bbb/registry/types/ps", s.decl([{ name: "ioc", service: { kind: "procserv", port: 20000 } }]));
    await s.m.poll();
    s.m.handle("bbb/registry/types/ps", s.decl([]));
    await s.m.poll();
    await s.m.poll();
    expect(s.published.map((p) => p.iocs.length)).toEqual([1, 0]);
    s.setType("mbtemp");
    await s.m.poll();
    expect(s.followed).toEqual(["bbb/registry/types/ps", "bbb/registry/types/mbtemp"]);
    s.setType("not a name/+");
    await s.m.poll();
    expect(s.followed.at(-1)).toBeNull();
    s.m.stop();
  });
});
