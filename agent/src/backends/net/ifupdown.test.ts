import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fixtureRoot } from "../../../test/helpers/fixture-root.js";
import { createRecordingExec } from "../../sim/recording-exec.js";
import { createRootedFs } from "../../system/rooted-fs.js";
import { createRunner } from "../../system/runner.js";
import { detectNetBackend } from "./detect.js";
import { createIfupdownBackend, renderInterfaces } from "./ifupdown.js";

describe("ifupdown backend", () => {
  let fx: Awaited<ReturnType<typeof fixtureRoot>>;
  afterEach(() => fx?.cleanup());

  it("is detected, reads the eth0 stanza and rewrites only it, between ifdown and ifup", async () => {
    fx = await fixtureRoot("ifupdown");
    const fs = createRootedFs(fx.root);
    const rec = createRecordingExec({ root: fx.root, mac: "a0:f6:fd:8b:1c:25", ip: "10.128.150.20" });
    const runner = createRunner(rec.exec);
    let n = 0;
    const b = createIfupdownBackend({ fs, iface: "eth0", hasSystemdRun: async () => true, unitId: () => String(++n) });
    expect(await detectNetBackend(fs, "eth0")).toBe("ifupdown");
    expect(await b.read(runner.run)).toEqual({
      mode: "manual",
      ip: "10.128.150.20",
      netmask: "255.255.255.0",
      gateway: "10.128.150.1",
      nameservers: ["10.0.0.71", "10.0.0.72"],
    });
    const restore = await b.snapshot(runner.run);
    await b.setIp({ mode: "dhcp" }, runner.run);
    const text = await fx.read("/etc/network/interfaces");
    expect(text).toContain(
      "auto eth0\niface eth0 inet dhcp\n    dns-nameservers 10.0.0.71 10.0.0.72\n    hwaddress ether a0:f6:fd:8b:1c:25\n\n# USB gadget\n",
    );
    expect(text).toContain("iface usb0 inet static\n    address 192.168.7.2\n");
    // ifup/ifdown as transient units (dhclient outlives the agent's sandbox and restarts); the
    // recording exec also records the program each one ran.
    expect(rec.calls.map((c) => c.join(" "))).toEqual([
      "systemd-run --wait --collect --quiet --unit=bbb-ifdown-1 -- ifdown eth0",
      "ifdown eth0",
      "systemd-run --wait --collect --quiet --unit=bbb-ifup-2 -- ifup eth0",
      "ifup eth0",
    ]);
    expect(rec.state).toMatchObject({ dhcp: true });
    await restore(runner.run);
    expect(await fx.read("/etc/network/interfaces")).toBe(await fx.fixture("etc/network/interfaces"));
  });

  it("looks for systemd-run under the root prefix and runs plain ifdown/ifup where it is absent", async () => {
    fx = await fixtureRoot("ifupdown");
    const fs = createRootedFs(fx.root);
    const rec = createRecordingExec({ root: fx.root, mac: "a0:f6:fd:8b:1c:25", ip: "10.128.150.20" });
    const b = createIfupdownBackend({ fs, iface: "eth0" });
    await b.setIp({ mode: "dhcp" }, createRunner(rec.exec).run);
    expect(rec.calls.map((c) => c.join(" "))).toEqual(["ifdown eth0", "ifup eth0"]);
    await fsp.mkdir(path.join(fx.root, "usr/bin"), { recursive: true });
    await fsp.writeFile(path.join(fx.root, "usr/bin/systemd-run"), "");
    rec.calls.length = 0;
    await b.setNameservers(["10.0.0.71"], createRunner(rec.exec).run);
    expect(rec.calls.map((c) => c.slice(0, 4).join(" "))).toEqual([
      "systemd-run --wait --collect --quiet",
      "ifdown eth0",
      "systemd-run --wait --collect --quiet",
      "ifup eth0",
    ]);
    expect(rec.calls[0]?.[4]).toMatch(/^--unit=bbb-ifdown-[0-9a-z-]+$/);
    expect(rec.calls[2]?.slice(4)).toEqual([
      expect.stringMatching(/^--unit=bbb-ifup-[0-9a-z-]+$/),
      "--",
      "ifup",
      "eth0",
    ]);
  });

  it("appends a stanza where eth0 has none (Debian 10's commented-out eth0)", async () => {
    fx = await fixtureRoot("debian10-connman");
    const text = renderInterfaces(await fx.read("/etc/network/interfaces"), "eth0", {
      ip: { mode: "manual", ip: "10.128.1.9", netmask: "255.255.255.0", gateway: "10.128.1.1" },
      nameservers: ["10.0.0.71"],
    });
    expect(
      text.endsWith(
        "#iface eth0 inet dhcp\n\nauto eth0\niface eth0 inet static\n    address 10.128.1.9\n    netmask 255.255.255.0\n    gateway 10.128.1.1\n    dns-nameservers 10.0.0.71\n",
      ),
    ).toBe(true);
  });
});
