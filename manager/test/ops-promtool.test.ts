import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, startTestServer, topics, waitFor, type TestServer } from "./helpers.js";
import { beat, connectBoard } from "./ops-fixtures.js";
import { opsServer } from "./ops-fixtures.js";
import { promqlMetricNames } from "./promql-names.js";

const MONITORING = join(REPO, "docs/monitoring");
const promtool = (args: string[], input?: string) =>
  spawnSync("promtool", args, { cwd: MONITORING, input, encoding: "utf8", timeout: 60_000 });
const havePromtool = spawnSync("promtool", ["--version"]).status === 0;

/** Families the exposition declares (# TYPE), with the series names each type implies. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (counter|gauge|histogram|summary)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
    if (type === "summary") for (const s of ["_sum", "_count"]) names.add(name + s);
  }
  return names;
}

describe.skipIf(!havePromtool)("Prometheus tooling on the real /metrics (promtool)", () => {
  let srv: TestServer;
  let board: MqttClient;
  let text = "";

  beforeAll(async () => {
    srv = await startTestServer({}, opsServer());
    board = await connectBoard(srv.started.urls.mqtt, "0000000000b1", "s1");
    await board.publishAsync(topics.heartbeat("0000000000b1"), beat("0000000000b1", "s1", 1), { qos: 1, retain: true });
    // Garbage enough for a collection, so the GC histogram has series too.
    let keep = 0;
    for (let i = 0; i < 200; i++) keep += new Array<number>(50_000).fill(i).length;
    expect(keep).toBe(10_000_000);
    text = await waitFor(
      async () => {
        const t = await (await fetch(`${srv.http}/metrics`)).text();
        return /^bbb_event_loop_lag_seconds_count /m.test(t) &&
          /^bbb_board_up\{/m.test(t) &&
          /^nodejs_gc_duration_seconds_count/m.test(t)
          ? t
          : null;
      },
      15_000,
      "lag summary, board and GC series",
    );
  });
  afterAll(async () => {
    board?.end(true);
    await srv?.stop();
  });

  it("passes `promtool check metrics` with no finding", () => {
    const r = promtool(["check", "metrics"], text);
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(text).toMatch(/^# TYPE bbb_event_loop_lag_seconds summary$/m);
    expect(text).toMatch(/^bbb_build_info\{version="[^"]+",node="v\d+[^"]*",arch="[^"]+"\} 1$/m);
    expect(text).toMatch(/^process_open_fds \d+$/m);
    expect(text).toMatch(/^bbb_board_up\{board="0000000000b1",sector="[^"]+"\} 1$/m);
  });

  it("the alert rules pass `promtool check rules` and every alert's unit tests", () => {
    const check = promtool(["check", "rules", "bbb-alerts.yml"]);
    expect(check.stdout + check.stderr).toContain("SUCCESS");
    expect(check.status).toBe(0);
    const test = promtool(["test", "rules", "bbb-alerts.test.yml"]);
    expect(test.stdout + test.stderr).toContain("SUCCESS");
    expect(test.status).toBe(0);
    // Each alert has a firing expectation in the unit tests.
    const rules = readFileSync(join(MONITORING, "bbb-alerts.yml"), "utf8");
    const tests = readFileSync(join(MONITORING, "bbb-alerts.test.yml"), "utf8");
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    expect(alerts.length).toBeGreaterThanOrEqual(9);
    for (const a of alerts)
      expect(tests, a).toMatch(new RegExp(`alertname: ${a}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
    // Every metric the rules query is one the manager exports (or Prometheus' own `up`).
    const exported = exportedNames(text);
    for (const expr of [...rules.matchAll(/expr: (\|\n(?: {10}.*\n)+|.*)/g)].map((m) => m[1]!))
      for (const name of promqlMetricNames(expr))
        expect(name === "up" || exported.has(name), `${name} in ${expr}`).toBe(true);
  });

  it("every Grafana panel queries only metrics /metrics exports", () => {
    const dash = JSON.parse(readFileSync(join(MONITORING, "grafana-dashboard.json"), "utf8")) as {
      uid: string;
      panels: { title: string; type: string; targets?: { expr: string }[] }[];
      templating: { list: { query?: unknown }[] };
    };
    expect(dash.uid).toBe("bbb-fleet");
    const exported = exportedNames(text);
    const exprs = dash.panels
      .filter((p) => p.type !== "row")
      .map((p) => ({ title: p.title, targets: p.targets ?? [] }));
    expect(exprs.length).toBeGreaterThan(20);
    const used = new Set<string>();
    for (const p of exprs) {
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) {
        const names = promqlMetricNames(t.expr);
        expect(names.length, `${p.title}: ${t.expr}`).toBeGreaterThan(0);
        for (const n of names) {
          used.add(n);
          expect(n === "up" || exported.has(n), `${p.title}: ${n}`).toBe(true);
        }
      }
    }
    // The template variable reads build info, which every manager exports.
    expect(JSON.stringify(dash.templating)).toContain("label_values(bbb_build_info, instance)");
    expect(used.has("bbb_board_up")).toBe(true);
  });
});
