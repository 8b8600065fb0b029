import { describe, expect, it } from "vitest";
import { DAEMON_CODES, daemonFrame, pickleString, readDaemonFrame } from "./daemon-frame.js";
import { bbbreadCommand, daemonCommand, toLegacyCommand, type LegacyCommand } from "./legacy-commands.js";

const cmd = (action: Parameters<typeof toLegacyCommand>[1], args: unknown) => {
  const c = toLegacyCommand("bbbread", action, args);
  if ("refused" in c) throw new Error(c.refused);
  return c;
};

describe("legacy commands", () => {
  it("bbbread's Command list entries", () => {
    expect(bbbreadCommand(cmd("reboot", {}))).toBe("1");
    expect(
      bbbreadCommand(
        cmd("set-ip", { mode: "manual", ip: "10.128.1.9", netmask: "255.255.255.0", gateway: "10.128.1.1" }),
      ),
    ).toBe("17;manual;10.128.1.9;255.255.255.0;10.128.1.1");
    expect(bbbreadCommand(cmd("set-ip", { mode: "dhcp" }))).toBe("17;dhcp");
    expect(bbbreadCommand(cmd("set-hostname", { hostname: "LA-RaCtrl--CO-Srv-2" }))).toBe("18;LA-RaCtrl--CO-Srv-2");
    expect(bbbreadCommand(cmd("set-nameservers", { servers: ["10.0.0.71", "10.0.0.72"] }))).toBe(
      "19;10.0.0.71;10.0.0.72",
    );
    expect(bbbreadCommand(cmd("restart-service", { name: "bbb-function" }))).toBe("20;bbb-function");
    expect(bbbreadCommand(cmd("stop-service", { name: "bbb-function" }))).toBe("21;bbb-function");
  });

  it("refuses what the daemons cannot do, with the reason", () => {
    for (const a of ["sync-project", "identify", "apply-node", "ping"] as const)
      expect(toLegacyCommand("bbbread", a, {})).toHaveProperty("refused");
    expect(toLegacyCommand("bbb-daemon", "restart-service", { name: "x" })).toHaveProperty("refused");
    expect(toLegacyCommand("bbbread", "set-nameservers", { servers: ["10.0.0.1"] })).toEqual({
      refused: "bbbread takes exactly two nameservers, got 1",
    });
  });

  it("bbb-daemon frames: BE32 code, then BE32 length + pickled string per argument", () => {
    expect(pickleString("dhcp")).toEqual(Buffer.from([0x58, 4, 0, 0, 0, 0x64, 0x68, 0x63, 0x70, 0x2e]));
    const c: LegacyCommand = {
      action: "set-ip",
      ip: { mode: "manual", ip: "10.0.0.9", netmask: "255.255.255.0", gateway: "10.0.0.1" },
    };
    const d = daemonCommand(c);
    expect(d).toEqual({ code: DAEMON_CODES["set-ip"], args: ["manual", "10.0.0.9", "255.255.255.0", "10.0.0.1"] });
    const f = daemonFrame(d!.code, d!.args);
    expect(f.readUInt32BE(0)).toBe(17);
    expect(f.readUInt32BE(4)).toBe(pickleString("manual").length);
    expect(readDaemonFrame(f)).toEqual(d);
    expect(readDaemonFrame(daemonFrame(1, []))).toEqual({ code: 1, args: [] });
    expect(readDaemonFrame(daemonFrame(18, ["名前"]))).toEqual({ code: 18, args: ["名前"] });
  });
});
