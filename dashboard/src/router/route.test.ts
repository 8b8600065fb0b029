import { describe, expect, it } from "vitest";
import { emptyFilter } from "../table/filters.js";
import { formatRoute, parseRoute } from "./route.js";

describe("routes in the URL", () => {
  it("round-trips the boards view with filters, search and sort", () => {
    const r = { view: "boards" as const, filter: { ...emptyFilter(), state: ["lost", "missing"], sector: ["3", "LINAC"], q: "co-srv 1" }, sort: { key: "since" as const, desc: true } };
    const h = formatRoute(r);
    expect(h).toBe("#/boards?state=lost%2Cmissing&sector=3%2CLINAC&q=co-srv+1&sort=-since");
    expect(parseRoute(h)).toEqual(r);
  });
  it("leaves defaults out of the URL and falls back on unknown input", () => {
    expect(formatRoute({ view: "boards", filter: emptyFilter(), sort: { key: "state", desc: false } })).toBe("#/boards");
    expect(parseRoute("#/boards?sort=-nonsense")).toMatchObject({ sort: { key: "state", desc: false } });
    expect(parseRoute("#/whatever")).toEqual({ view: "overview" });
    expect(parseRoute("")).toEqual({ view: "overview" });
  });
  it("parses board and manage routes", () => {
    expect(parseRoute("#/board/a0f6fd8b1c22")).toEqual({ view: "board", id: "a0f6fd8b1c22" });
    expect(parseRoute("#/manage/nodes")).toEqual({ view: "manage", section: "nodes" });
    expect(parseRoute("#/manage/bogus")).toEqual({ view: "manage", section: "types" });
  });
});

describe("health and inventory routes", () => {
  it("round-trip with their selection", () => {
    expect(parseRoute("#/health")).toEqual({ view: "health", rebootedMin: 1 });
    expect(parseRoute("#/health?rebooted=3")).toEqual({ view: "health", rebootedMin: 3 });
    expect(parseRoute("#/health?rebooted=-2")).toEqual({ view: "health", rebootedMin: 1 });
    const inv = { view: "inventory" as const, column: "kernel", value: "5.10.168-ti-r71" };
    expect(parseRoute(formatRoute(inv))).toEqual(inv);
    expect(formatRoute({ view: "inventory", column: null, value: null })).toBe("#/inventory");
    expect(formatRoute({ view: "health", rebootedMin: 2 })).toBe("#/health?rebooted=2");
  });
});
