import { afterEach, describe, expect, it } from "vitest";
import { fixtureRoot } from "../../../test/helpers/fixture-root.js";
import { createRecordingExec } from "../../sim/recording-exec.js";
import { createRootedFs } from "../../system/rooted-fs.js";
import { createRunner } from "../../system/runner.js";
import { createConnmanBackend, findEthernetService } from "./connman.js";
import { detectNetBackend } from "./detect.js";

describe("connman backend (Debian 10 image)", () => {
  let fx: Awaited<ReturnType<typeof fixtureRoot>>;
  afterEach(() => fx?.cleanup());

  const setup = async () => {
    fx = await fixtureRoot("debian10-connman");
    const services = await fx.fixture("connmanctl-services.txt");
    const rec = createRecordingExec({
      mac: "a0:f6:fd:8b:1c:22",
      ip: "10.128.101.51",
      override: (argv) =>
        argv.join(" ") === "connmanctl services" ? { exitCode: 0, stdout: services, stderr: "" } : undefined,
    });
    const fs = createRootedFs(fx.root);
    return { fs, rec, backend: createConnmanBackend({ fs, iface: "eth0" }), runner: createRunner(rec.exec) };
  };

  it("is detected and reads the stored service settings", async () => {
    const { fs, backend, runner } = await setup();
    expect(await detectNetBackend(fs, "eth0")).toBe("connman");
    expect(await backend.read(runner.run)).toEqual({
      mode: "manual",
      ip: "10.128.101.51",
      netmask: "255.255.255.0",
      gateway: "10.128.101.1",
      nameservers: ["10.0.0.71", "10.0.0.72"],
    });
  });

  it("finds eth0's cable service by MAC among other services", async () => {
    fx = await fixtureRoot("debian10-connman");
    const out = await fx.fixture("connmanctl-services.txt");
    expect(findEthernetService(out, "a0f6fd8b1c22")).toBe("ethernet_a0f6fd8b1c22_cable");
    expect(findEthernetService(out, "a0f6fd8b1c99")).toBeNull();
  });

  it("generates the connmanctl argv for manual, dhcp, nameservers and the restore", async () => {
    const { backend, rec, runner } = await setup();
    const restore = await backend.snapshot(runner.run);
    await backend.setIp(
      { mode: "manual", ip: "10.128.102.20", netmask: "255.255.255.0", gateway: "10.128.102.1" },
      runner.run,
    );
    await backend.setIp({ mode: "dhcp" }, runner.run);
    await backend.setNameservers(["10.0.0.71", "10.0.0.73"], runner.run);
    rec.calls.length = 0;
    await restore(runner.run);
    expect(rec.calls.map((c) => c.join(" "))).toEqual([
      "connmanctl services",
      "connmanctl config ethernet_a0f6fd8b1c22_cable --ipv4 manual 10.128.101.51 255.255.255.0 10.128.101.1",
      "connmanctl config ethernet_a0f6fd8b1c22_cable --nameservers 10.0.0.71 10.0.0.72",
    ]);
    expect(runner.output()).toContain("$ connmanctl config ethernet_a0f6fd8b1c22_cable --ipv4 dhcp");
    expect(runner.output()).toContain("--ipv4 manual 10.128.102.20 255.255.255.0 10.128.102.1");
  });

  it("fails with AGENT_E_NET_BACKEND when eth0 has no cable service", async () => {
    fx = await fixtureRoot("debian10-connman");
    const rec = createRecordingExec({
      mac: "a0:f6:fd:8b:1c:22",
      ip: "10.128.101.51",
      override: (argv) => (argv[1] === "services" ? { exitCode: 0, stdout: "", stderr: "" } : undefined),
    });
    const b = createConnmanBackend({ fs: createRootedFs(fx.root), iface: "eth0" });
    await expect(b.setIp({ mode: "dhcp" }, createRunner(rec.exec).run)).rejects.toMatchObject({
      code: "AGENT_E_NET_BACKEND",
    });
  });
});
