import { createTopics } from "@bbb/shared";
import { describe, expect, it } from "vitest";
import { enc, hostView } from "../test-support/fixtures.js";
import { createFleetStore } from "./fleet-store.js";

const t = createTopics("bbb");

describe("createFleetStore", () => {
  it("applies everything that arrived within a frame in one state replacement", () => {
    const frames: (() => void)[] = [];
    const store = createFleetStore({ root: "bbb", schedule: (fn) => frames.push(fn) });
    const before = store.state.value;
    for (let i = 0; i < 500; i++) store.ingest(t.registryHost(`b${i}`), enc(hostView(`b${i}`)));
    expect(frames).toHaveLength(1);
    expect(store.state.value).toBe(before);
    frames[0]?.();
    expect(store.state.value.hosts.size).toBe(500);
  });

  it("ignores garbage without dropping the good messages of the same frame", () => {
    const frames: (() => void)[] = [];
    const store = createFleetStore({ root: "bbb", schedule: (fn) => frames.push(fn) });
    store.ingest(t.registryHost("a1"), new TextEncoder().encode("not json"));
    store.ingest(t.registryHost("a2"), enc(hostView("a2")));
    frames[0]?.();
    expect([...store.state.value.hosts.keys()]).toEqual(["a2"]);
  });
});
