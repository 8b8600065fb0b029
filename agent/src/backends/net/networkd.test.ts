import { afterEach, describe, expect, it } from "vitest";
import { fixtureRoot } from "../../../test/helpers/fixture-root.js";
import { createRecordingExec } from "../../sim/recording-exec.js";
import { createRootedFs } from "../../system/rooted-fs.js";
import { createRunner } from "../../system/runner.js";
import { detectNetBackend } from "./detect.js";
import { createNetworkdBackend, matchesInterface } from "./networkd.js";

describe("systemd-networkd backend (Debian 11/12 images)", () => {
  let fx: Awaited<ReturnType<typeof fixtureRoot>>;
  afterEach(() => fx?.cleanup());
  const setup = async (name: string) => {
    fx = await fixtureRoot(name);
    const fs = createRootedFs(fx.root);
    const rec = createRecordingExec({ root: fx.root, mac: "a0:f6:fd:8b:1c:23", ip: "10.128.110.30" });
    return { fs, rec, backend: createNetworkdBackend({ fs, iface: "eth0" }), runner: createRunner(rec.exec) };
  };

  it("Debian 11: detected, DHCP read, manual IP written to eth0.network and reloaded", async () => {
    const { fs, rec, backend, runner } = await setup("debian11-networkd");
    expect(await detectNetBackend(fs, "eth0")).toBe("networkd");
    expect(await backend.read(runner.run)).toEqual({ mode: "dhcp", nameservers: [] });
    await backend.setIp(
      { mode: "manual", ip: "10.128.101.77", netmask: "255.255.255.0", gateway: "10.128.101.1" },
      runner.run,
    );
    expect(await fx.read("/etc/systemd/network/eth0.network")).toBe(
      "[Match]\nName=eth0\n\n[Network]\nAddress=10.128.101.77/24\nGateway=10.128.101.1\n",
    );
    expect(await fx.read("/etc/systemd/network/usb0.network")).toBe(
      await fx.fixture("etc/systemd/network/usb0.network"),
    );
    expect(rec.calls.map((c) => c.join(" "))).toEqual(["networkctl reload", "networkctl reconfigure eth0"]);
  });

  it("Debian 12: nameservers replace DNS= lines, [Link] and other keys stay; the snapshot restores the file", async () => {
    const { backend, runner } = await setup("debian12-networkd");
    expect(await backend.read(runner.run)).toEqual({
      mode: "manual",
      ip: "10.128.110.30",
      netmask: "255.255.255.0",
      gateway: "10.128.110.1",
      nameservers: ["10.0.0.71", "10.0.0.72"],
    });
    const restore = await backend.snapshot(runner.run);
    await backend.setNameservers(["10.0.0.80"], runner.run);
    expect(await fx.read("/etc/systemd/network/10-eth0.network")).toBe(
      "# eth0: control network, static (written at install time)\n\n[Match]\nName=eth0\n\n[Link]\nRequiredForOnline=yes\n\n" +
        "[Network]\nAddress=10.128.110.30/24\nGateway=10.128.110.1\nDNS=10.0.0.80\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n",
    );
    await backend.setIp({ mode: "dhcp" }, runner.run);
    expect(await fx.read("/etc/systemd/network/10-eth0.network")).toContain("[Network]\nDHCP=ipv4\nDNS=10.0.0.80\n");
    await restore(runner.run);
    expect(await fx.read("/etc/systemd/network/10-eth0.network")).toBe(
      await fx.fixture("etc/systemd/network/10-eth0.network"),
    );
  });

  it("matches [Match] Name= globs", () => {
    expect(matchesInterface(["usb*"], "eth0")).toBe(false);
    expect(matchesInterface(["eth* en*"], "eth0")).toBe(true);
    expect(matchesInterface(["eth0"], "eth0")).toBe(true);
  });
});
