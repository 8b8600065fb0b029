import { describe, expect, it } from "vitest";
import { hostView } from "../test-support/fixtures.js";
import { baselineOf, commandEffect } from "./command-effect.js";

const sent = 10_000;
const before = baselineOf(hostView("b1", { hb: { session: "s1", uptime: 5000, ts: 9_000 } }));

describe("commandEffect", () => {
  it("a reboot is done when the board is back with a new session, and says after how long", () => {
    const accepted = hostView("b1", { state: "online", hb: { session: "s1", uptime: 5001, ts: 10_500 } });
    expect(commandEffect("reboot", {}, sent, before, accepted, 11_000)).toMatchObject({ status: "waiting", text: "waiting for the board to go down" });
    const down = hostView("b1", { state: "rebooting", stateSince: 10_600, hb: { session: "s1", uptime: 5001, ts: 10_500 } });
    expect(commandEffect("reboot", {}, sent, before, down, 13_000)).toEqual({ status: "waiting", text: "rebooting… 3 s" });
    const back = hostView("b1", { state: "online", stateSince: 16_400, hb: { session: "s2", uptime: 3, ts: 16_400 } });
    expect(commandEffect("reboot", {}, sent, before, back, 17_000)).toEqual({ status: "seen", text: "back after 6 s" });
  });

  it("a lower uptime in the same session also counts as a new boot (a daemon that keeps its session id)", () => {
    const back = hostView("b1", { state: "online", stateSince: 14_000, hb: { session: "s1", uptime: 4, ts: 14_000 } });
    expect(commandEffect("apply-node", {}, sent, before, back, 15_000)?.status).toBe("seen");
  });

  it("says the reboot was not seen once the grace is over", () => {
    const same = hostView("b1", { state: "online", hb: { session: "s1", uptime: 5100, ts: 60_000 } });
    expect(commandEffect("reboot", {}, sent, before, same, 71_000, 60_000)).toEqual({ status: "not-seen", text: "reboot not seen within 60 s" });
  });

  it("a set-ip is done when the board beats with the new address, a set-hostname with the new name", () => {
    const args = { mode: "manual", ip: "10.128.20.50", netmask: "255.255.255.0", gateway: "10.128.20.1" };
    const old = hostView("b1", { hb: { ip: "10.128.20.21", ts: 10_200 } });
    expect(commandEffect("set-ip", args, sent, before, old, 11_000)).toEqual({ status: "waiting", text: "waiting for the board to report IP 10.128.20.50" });
    expect(commandEffect("set-ip", args, sent, before, old, 80_000, 60_000)).toEqual({ status: "not-seen", text: "board still reports IP 10.128.20.21" });
    const now = hostView("b1", { hb: { ip: "10.128.20.50", ts: 11_000 } });
    expect(commandEffect("set-ip", args, sent, before, now, 11_100)).toEqual({ status: "seen", text: "board reports IP 10.128.20.50" });
    const named = hostView("b1", { hb: { hostname: "SI-02RaCtrl--CO-Srv-9", ts: 11_000 } });
    expect(commandEffect("set-hostname", { hostname: "SI-02RaCtrl--CO-Srv-9" }, sent, before, named, 11_100)).toEqual({ status: "seen", text: "board reports hostname SI-02RaCtrl:CO-Srv-9" });
  });

  it("has nothing to say about actions whose result is their effect", () => {
    expect(commandEffect("identify", { seconds: 5 }, sent, before, hostView("b1"), 11_000)).toBeNull();
    expect(commandEffect("set-ip", { mode: "dhcp" }, sent, before, hostView("b1"), 11_000)).toBeNull();
  });
});
