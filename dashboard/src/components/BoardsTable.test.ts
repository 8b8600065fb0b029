import { createTopics } from "@bbb/shared";
import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { effectScope } from "vue";
import { createSession } from "../session/create-session.js";
import { SessionKey } from "../session/use-session.js";
import { createFleetView, FleetViewKey } from "../store/fleet-view.js";
import { enc, hostView } from "../test-support/fixtures.js";
import BoardsTable from "./BoardsTable.vue";

describe("BoardsTable", () => {
  it("puts only the visible window of 10,000 boards in the DOM and follows the scroll", async () => {
    // A real session that is never started: no connection, just its store.
    const session = createSession({ url: "ws://127.0.0.1:1/mqtt", username: "u", password: "p" });
    const t = createTopics("bbb");
    const keys: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const id = `b${i.toString().padStart(5, "0")}`;
      keys.push(id);
      session.store.ingest(t.registryHost(id), enc(hostView(id, { hb: { hostname: `Srv-${i}` } })));
    }
    session.store.flush();
    const scope = effectScope();
    const view = scope.run(() => createFleetView(session.store));
    const w = mount(BoardsTable, {
      props: { keys, selected: new Set<string>(), sort: { key: "hostname", desc: false }, selectable: true },
      global: { provide: { [SessionKey as symbol]: session, [FleetViewKey as symbol]: view } },
    });
    const rows = () => w.findAll('[data-testid="board-row"]');
    expect(rows().length).toBeGreaterThan(0);
    expect(rows().length).toBeLessThan(60);
    expect(rows()[0]?.attributes("data-board")).toBe("b00000");
    const body = w.get('[data-testid="boards-table"]');
    (body.element as HTMLElement).scrollTop = 38 * 5000;
    await body.trigger("scroll");
    expect(rows().length).toBeLessThan(60);
    expect(rows().map((r) => r.attributes("data-board"))).toContain("b05000");
    await body.trigger("keydown", { key: " " });
    expect(w.emitted("toggle")?.[0]).toEqual(["b00000", false]);
    w.unmount();
    scope.stop();
  });
});
