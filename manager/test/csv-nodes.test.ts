import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodesImportResultSchema, type Node, type NodesImportResult } from "@bbb/shared";
import { ADMIN_PASSWORD, connectClient, request, startTestServer, type TestServer } from "./helpers.js";

// docs/protocol.md §"Nodes as CSV": through the real server's service layer (MQTT front door).
describe("nodes.import / nodes.export", () => {
  let srv: TestServer;
  let admin: MqttClient;

  const call = async (method: string, params: unknown) => {
    const r = await request(admin, method, params);
    if (r.status !== "ok") throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.data;
  };
  const importCsv = async (csv: string, opts: { dryRun?: boolean; replace?: boolean } = {}) =>
    nodesImportResultSchema.parse(await call("nodes.import", { csv, ...opts }));
  const nodes = async () =>
    new Map(
      ((await call("nodes.list", {})) as { items: { node: Node }[] }).items.map((v) => [v.node.hostname, v.node]),
    );

  beforeAll(async () => {
    srv = await startTestServer();
    admin = await connectClient(srv.mqttUrl, "admin", ADMIN_PASSWORD);
    for (const name of ["mbtemp", "power-supply"]) await call("types.upsert", { name });
  });
  afterAll(async () => {
    await admin?.endAsync();
    await srv?.stop();
  });

  const good = [
    "Hostname,IP,Type,Sector,PV prefix",
    "SI-01SA:CO-MBTemp-1,10.128.10.200,mbtemp,1,SI-01SA:DI-MBTemp",
    "bbb-ps-20,10.128.20.15,power-supply,,PS-20A PS-20B",
    "bbb-dhcp,dhcp,mbtemp,,",
  ].join("\n");

  it("reports bad rows by line number and applies nothing", async () => {
    const csv = [
      good,
      "bbb-derived,10.128.30.9,mbtemp,,",
      "bbb-bad-type,dhcp,spixconv,,",
      "bbb-ps-20,dhcp,mbtemp,,",
      "bbb-nowhere,192.168.7.9,mbtemp,,",
      "bbb-wrong-sector,10.128.40.9,mbtemp,5,",
      "bbb-explicit,10.128.30.9,mbtemp,,,255.255.255.0,10.128.31.1",
    ].join("\n");
    // With netmask / gateway columns: an explicit gateway outside the subnet is refused.
    const r = await importCsv(csv.replace("PV prefix", "PV prefix,netmask,gateway"));
    expect(r.applied).toBe(false);
    expect(r.errors.map((e) => [e.line, e.hostname])).toEqual([
      [6, "bbb-bad-type"],
      [7, "bbb-ps-20"],
      [8, "bbb-nowhere"],
      [9, "bbb-wrong-sector"],
      [10, "bbb-explicit"],
    ]);
    expect(r.errors.map((e) => e.message)).toEqual([
      "type spixconv is not registered",
      "hostname bbb-ps-20 also on line 3",
      "ip 192.168.7.9 lies in no sector CIDR: give netmask and gateway",
      "ip 10.128.40.9 lies in sector 4, not 5",
      expect.stringMatching(/gateway is not in the subnet/),
    ]);
    expect((await nodes()).size).toBe(0);
  });

  it("dry run reports what would change; apply writes it in one go with who in the history", async () => {
    const dry = await importCsv(good, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, applied: false, rows: 3, counts: { added: 3, errors: 0 } });
    expect(dry.added.map((a) => a.line)).toEqual([2, 3, 4]);
    expect((await nodes()).size).toBe(0);

    const r = await importCsv(good);
    expect(r).toMatchObject({ applied: true, counts: { added: 3, changed: 0, removed: 0, errors: 0 } });
    const n = await nodes();
    // EPICS ':' stored as '--'; netmask / gateway from the sector CIDR, gateway = its first address.
    expect(n.get("SI-01SA--CO-MBTemp-1")).toMatchObject({
      ip: { mode: "manual", ip: "10.128.10.200", netmask: "255.255.255.128", gateway: "10.128.10.129" },
      sector: "1",
      pvPrefixes: ["SI-01SA:DI-MBTemp"],
    });
    expect(n.get("bbb-ps-20")).toMatchObject({
      ip: { netmask: "255.255.255.0", gateway: "10.128.20.1" },
      sector: null,
      pvPrefixes: ["PS-20A", "PS-20B"],
    });
    expect(n.get("bbb-dhcp")?.ip).toEqual({ mode: "dhcp" });
    const h = (await call("history.query", { kind: ["registry"], by: "admin" })) as { items: { message: string }[] };
    expect(h.items.map((i) => i.message)).toContain("nodes imported from CSV: 3 added, 0 changed, 0 removed");
  });

  it("reports changed fields, keeps columns the CSV leaves out, and removes others only with replace", async () => {
    await call("nodes.upsert", { hostname: "bbb-extra", ip: { mode: "dhcp" }, type: "mbtemp", notes: "spare" });
    await call("nodes.bind", { hostname: "bbb-dhcp", boardId: "a0f6fd8b1c22", apply: false });
    const csv = [
      "hostname,ip,type,netmask,gateway",
      "bbb-ps-20,10.128.20.16,power-supply,,",
      "bbb-dhcp,dhcp,power-supply,,",
    ].join("\n");
    const dry = await importCsv(csv, { dryRun: true, replace: true });
    expect(dry.changed).toEqual([
      { line: 2, hostname: "bbb-ps-20", fields: [{ field: "ip", before: "10.128.20.15", after: "10.128.20.16" }] },
      { line: 3, hostname: "bbb-dhcp", fields: [{ field: "type", before: "mbtemp", after: "power-supply" }] },
    ]);
    expect(dry.removed.map((x) => x.hostname).sort()).toEqual(["SI-01SA--CO-MBTemp-1", "bbb-extra"]);
    const r = await importCsv(csv, { replace: true });
    expect(r.counts).toMatchObject({ changed: 2, removed: 2 });
    const n = await nodes();
    expect([...n.keys()].sort()).toEqual(["bbb-dhcp", "bbb-ps-20"]);
    // No board column: the binding stays; no pv column: the prefixes stay.
    expect(n.get("bbb-dhcp")?.boardId).toBe("a0f6fd8b1c22");
    expect(n.get("bbb-ps-20")?.pvPrefixes).toEqual(["PS-20A", "PS-20B"]);
  });

  it("exports CSV that imports back unchanged", async () => {
    await importCsv(
      [
        "hostname,ip,type,sector,pv,netmask,gateway,notes,spare",
        'bbb-odd,10.128.30.9,mbtemp,,,255.255.254.0,10.128.30.1,"rack 3, top",',
        "LA-RaCtrl:CO-Srv-1,10.128.1.20,mbtemp,LINAC,LA-CO,,,,no",
        "LA-RaCtrl:CO-Spare-1,10.128.1.21,mbtemp,LINAC,,,,,yes",
      ].join("\n"),
    );
    const e = (await call("nodes.export", {})) as { csv: string; count: number };
    expect(e.count).toBe(5);
    const lines = e.csv.trimEnd().split("\n");
    expect(lines[0]).toBe("hostname,ip,type,sector,pv,netmask,gateway,nameservers,board,notes,spare");
    expect(lines).toContain('bbb-odd,10.128.30.9,mbtemp,,,255.255.254.0,10.128.30.1,,,"rack 3, top",');
    expect(lines).toContain("LA-RaCtrl--CO-Srv-1,10.128.1.20,mbtemp,LINAC,LA-CO,,,,,,");
    expect(lines).toContain("LA-RaCtrl--CO-Spare-1,10.128.1.21,mbtemp,LINAC,,,,,,,yes");
    expect((await nodes()).get("LA-RaCtrl--CO-Spare-1")?.spare).toBe(true);
    const before = await nodes();
    const back: NodesImportResult = await importCsv(e.csv, { replace: true });
    expect(back.counts).toEqual({ added: 0, changed: 0, unchanged: 5, removed: 0, errors: 0 });
    expect(await nodes()).toEqual(before);
    const onlyLinac = (await call("nodes.export", { sector: "LINAC" })) as { csv: string; count: number };
    expect(onlyLinac.count).toBe(2);
    const bad = await importCsv("hostname,spare\nbbb-odd,maybe", { dryRun: true });
    expect(bad.errors[0]?.message).toBe("spare: yes or no, not maybe");
  });
});
