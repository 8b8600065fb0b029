import { startServer, FLEET_SECRET } from "./server-runner.mjs";
import { startLoad } from "./load-gen.mjs";
import { startSubscriber } from "./subscriber.mjs";
import { rampReporter } from "./progress.mjs";

/**
 * The whole system under load: the all-in-one server, N generated boards (schema-valid
 * heartbeats, real board tokens, birth and will, commands answered) and a subscriber on
 * `bbb/registry/hosts/+` and results as admin. Returns handles; `close()` stops everything.
 */
export async function startSystem({ boards, workers = 2, connectsPerSec = 500, phase, label, cpuProfDir, probeEvery, respond = true, extraFilters = [] }) {
  const parts = { server: null, sub: null, load: null };
  const close = async () => {
    await parts.load?.close();
    await parts.sub?.close();
    await parts.server?.stop();
  };
  try {
    parts.server = await startServer({ cpuProfDir });
    const s = parts.server;
    parts.sub = await startSubscriber({ url: s.url, filters: ["bbb/registry/hosts/+", "bbb/+/result/+", ...extraFilters], ...s.admin, clientId: `bench-sub-${process.pid}` });
    parts.load = await startLoad({
      boards,
      workers,
      urls: [s.url],
      prefix: "be",
      auth: { kind: "token", secret: FLEET_SECRET },
      connectsPerSec,
      respond,
      probeEvery: probeEvery ?? Math.max(1, Math.floor(boards / 200)),
      onProgress: rampReporter(phase, label),
    });
    const c = await parts.load.waitConnected((boards / connectsPerSec) * 3000 + 30_000);
    return { ...parts, connected: c.connected, failed: c.failed, close };
  } catch (e) {
    await close();
    throw e;
  }
}
