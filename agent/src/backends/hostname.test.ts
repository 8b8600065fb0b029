import { afterEach, describe, expect, it } from "vitest";
import { fixtureRoot } from "../../test/helpers/fixture-root.js";
import { createRecordingExec } from "../sim/recording-exec.js";
import { createRootedFs } from "../system/rooted-fs.js";
import { createRunner } from "../system/runner.js";
import { createHostnameBackend, renderHosts } from "./hostname.js";

describe("hostname backend", () => {
  let fx: Awaited<ReturnType<typeof fixtureRoot>>;
  afterEach(() => fx?.cleanup());

  it("writes /etc/hostname and the 127.0.1.1 line, runs hostname, and restores", async () => {
    fx = await fixtureRoot("debian10-connman");
    const rec = createRecordingExec({ mac: "a0:f6:fd:8b:1c:22", ip: "10.128.101.51" });
    const runner = createRunner(rec.exec);
    const b = createHostnameBackend(createRootedFs(fx.root));
    const restore = await b.snapshot();
    await b.set("LA-RaCtrl--CO-Srv-2", runner.run);
    expect(await fx.read("/etc/hostname")).toBe("LA-RaCtrl--CO-Srv-2\n");
    expect(await fx.read("/etc/hosts")).toContain(
      "127.0.0.1\tlocalhost\n127.0.1.1\tLA-RaCtrl--CO-Srv-2\n\n# The following",
    );
    await restore(runner.run);
    expect(await fx.read("/etc/hosts")).toBe(await fx.fixture("etc/hosts"));
    expect(rec.calls).toEqual([
      ["hostname", "LA-RaCtrl--CO-Srv-2"],
      ["hostname", "LA-RaCtrl--CO-Srv-1"],
    ]);
  });

  it("adds a 127.0.1.1 line after localhost when the image has none (Debian 12 fixture)", async () => {
    fx = await fixtureRoot("debian12-networkd");
    expect(renderHosts(await fx.read("/etc/hosts"), "bbb.lnls")).toBe(
      "127.0.0.1\tlocalhost\n127.0.1.1\tbbb.lnls bbb\n::1\t\tlocalhost ip6-localhost ip6-loopback\n",
    );
  });
});
