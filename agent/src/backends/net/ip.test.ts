import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createRecordingExec } from "../../sim/recording-exec.js";
import { createRootedFs } from "../../system/rooted-fs.js";
import { createRunner } from "../../system/runner.js";
import { createIpBackend, parseIpJson } from "./ip.js";

describe("ip backend", () => {
  it("parses ip -j output", () => {
    const addr =
      '[{"ifindex":2,"ifname":"eth0","addr_info":[{"family":"inet","local":"10.77.0.11","prefixlen":24,"scope":"global"}]}]';
    expect(parseIpJson(addr, '[{"dst":"default","gateway":"10.77.0.1","dev":"eth0"}]')).toEqual({
      mode: "manual",
      ip: "10.77.0.11",
      netmask: "255.255.255.0",
      gateway: "10.77.0.1",
    });
    expect(parseIpJson("[]", "[]")).toEqual({ mode: "unknown" });
    expect(parseIpJson("garbage", "")).toEqual({ mode: "unknown" });
  });

  it("flushes, adds and replaces the default route; restores the previous address; refuses dhcp", async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), "bbb-ip-"));
    try {
      const rec = createRecordingExec({ mac: "a0:f6:fd:00:00:01", ip: "10.77.0.11", gateway: "10.77.0.1" });
      const runner = createRunner(rec.exec);
      const b = createIpBackend({ fs: createRootedFs(root), iface: "eth0" });
      const restore = await b.snapshot(runner.run);
      rec.calls.length = 0;
      await b.setIp({ mode: "manual", ip: "10.77.0.50", netmask: "255.255.0.0", gateway: "10.77.0.1" }, runner.run);
      expect(rec.calls.map((c) => c.join(" "))).toEqual([
        "ip addr flush dev eth0",
        "ip addr add 10.77.0.50/16 dev eth0",
        "ip route replace default via 10.77.0.1 dev eth0",
      ]);
      expect(rec.state.ip).toBe("10.77.0.50");
      await restore(runner.run);
      expect(rec.state).toMatchObject({ ip: "10.77.0.11", netmask: "255.255.255.0", gateway: "10.77.0.1" });
      await expect(b.setIp({ mode: "dhcp" }, runner.run)).rejects.toMatchObject({ code: "AGENT_E_UNSUPPORTED" });
      await b.setNameservers(["10.0.0.71"], runner.run);
      expect(await fsp.readFile(path.join(root, "etc/resolv.conf"), "utf8")).toBe("nameserver 10.0.0.71\n");
    } finally {
      await fsp.rm(root, { recursive: true, force: true });
    }
  });
});
