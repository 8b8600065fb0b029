import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { heartbeatSchema } from "@bbb/shared";
import { createFakeRoot, type FakeRoot } from "../sim/fake-root.js";
import { createRootedFs } from "../system/rooted-fs.js";
import { createStateFiles } from "../state/state-files.js";
import { createNodeSettings } from "../state/node-settings.js";
import { createHeartbeatLoop } from "./heartbeat-loop.js";

describe("heartbeat from a fake root", () => {
  let fake: FakeRoot;
  afterEach(() => fake?.cleanup());

  it("reports the fields a board can tell and follows /opt/device.json changes", async () => {
    fake = await createFakeRoot({ index: 9, layout: "networkd", uptimeS: 777 });
    const fs = createRootedFs(fake.root);
    const nodeSettings = createNodeSettings(createStateFiles(fake.stateDir));
    const loop = createHeartbeatLoop({
      boardId: fake.boardId,
      session: "sess1",
      iface: "eth0",
      agentVersion: "0.1.0",
      periodMs: 1000,
      fs,
      clock: { now: () => 1_700_000_000_000 },
      log: pino({ level: "silent" }),
      slow: () => ({
        net: { mode: "manual", ip: fake.options.ip, gateway: "10.128.1.1", nameservers: ["10.0.0.71"] },
        addr: {
          address: fake.options.ip,
          netmask: "255.255.255.0",
          family: "IPv4",
          mac: fake.mac,
          internal: false,
          cidr: null,
        },
        diskUsedPct: 40,
        services: { "bbb-function": "active" },
      }),
      nodeSettings,
      publish: () => undefined,
      canPublish: () => true,
    });
    const hb = heartbeatSchema.parse(loop.build());
    expect(hb).toEqual({
      v: 1,
      id: fake.boardId,
      session: "sess1",
      seq: 0,
      ts: 1_700_000_000_000,
      hostname: "sim-bbb-0009",
      ip: fake.options.ip,
      type: "mbtemp",
      uptime: 777,
      mac: fake.mac,
      ipMode: "manual",
      netmask: "255.255.255.0",
      gateway: "10.128.1.1",
      nameservers: ["10.0.0.71"],
      details: "MBTemps connected [1, 2]",
      load1: 0.12,
      memUsedPct: 25.3,
      diskUsedPct: 40,
      tempC: 47.3,
      agentVersion: "0.1.0",
      services: { "bbb-function": "active" },
    });
    // The identification script rewrites the file: picked up once the watch of /opt names it.
    await new Promise((r) => setTimeout(r, 20));
    await fake.writeDevice({ device: 7, details: "SPIxCONV board 3" });
    await vi.waitFor(() => expect(loop.build()).toMatchObject({ type: "spixconv", details: "SPIxCONV board 3" }));
    // An adopted node type wins; the detected one stays visible.
    await nodeSettings.save({ type: "power-supply", pvPrefix: ["PS-01:"] });
    expect(loop.build()).toMatchObject({ type: "power-supply", detectedType: "spixconv", pvPrefix: ["PS-01:"] });
    loop.stop();
  });

  it("builds and hands the beat to publish within the call: no promise between the timer and the socket", async () => {
    fake = await createFakeRoot({ index: 10 });
    const sent: string[] = [];
    const loop = createHeartbeatLoop({
      boardId: fake.boardId,
      session: "sess2",
      iface: "eth0",
      agentVersion: "0.1.0",
      periodMs: 1000,
      fs: createRootedFs(fake.root),
      clock: { now: () => 1_700_000_000_000 },
      log: pino({ level: "silent" }),
      slow: () => ({ net: null }),
      nodeSettings: createNodeSettings(createStateFiles(fake.stateDir)),
      publish: (p) => void sent.push(p),
      canPublish: () => true,
    });
    loop.beat();
    loop.beat();
    expect(sent.map((p) => heartbeatSchema.parse(JSON.parse(p)))).toMatchObject([
      { seq: 0, hostname: "sim-bbb-0010", mac: fake.mac, type: "mbtemp" },
      { seq: 1, hostname: "sim-bbb-0010", mac: fake.mac, type: "mbtemp" },
    ]);
    loop.stop();
  });
});
