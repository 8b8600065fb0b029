import { emptyFilter, FACETS, type BoardFilter } from "../table/filters.js";
import { DEFAULT_SORT, isSortKey, type SortSpec } from "../table/sort.js";

export const MANAGE_SECTIONS = ["types", "nodes", "sectors", "users", "audit"] as const;
export type ManageSection = (typeof MANAGE_SECTIONS)[number];

/** Where the console is: kept in the URL hash so a view (filters included) can be shared. */
export type Route =
  | { view: "overview" }
  | { view: "boards"; filter: BoardFilter; sort: SortSpec }
  | { view: "board"; id: string }
  | { view: "manage"; section: ManageSection }
  | { view: "migration" }
  | { view: "health"; rebootedMin: number }
  | { view: "inventory"; column: string | null; value: string | null };

function list(v: string | null): string[] {
  return v ? v.split(",").map((s) => s.trim()).filter(Boolean) : [];
}

/** Parses `#/boards?state=lost,missing&sector=3&q=ps&sort=-since` and friends; unknown -> overview. */
export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, "");
  const [path = "", query = ""] = h.split("?", 2);
  const seg = path.split("/").filter(Boolean).map(decodeURIComponent);
  const qs = new URLSearchParams(query);
  switch (seg[0]) {
    case "boards": {
      const filter = emptyFilter();
      for (const k of FACETS) filter[k] = list(qs.get(k));
      filter.q = qs.get("q") ?? "";
      const s = qs.get("sort") ?? "";
      const desc = s.startsWith("-");
      const key = desc ? s.slice(1) : s;
      return { view: "boards", filter, sort: isSortKey(key) ? { key, desc } : DEFAULT_SORT };
    }
    case "board":
      return seg[1] ? { view: "board", id: seg[1] } : { view: "overview" };
    case "migration":
      return { view: "migration" };
    case "health": {
      const n = Number(qs.get("rebooted") ?? "1");
      return { view: "health", rebootedMin: Number.isInteger(n) && n >= 1 ? n : 1 };
    }
    case "inventory":
      return { view: "inventory", column: qs.get("col"), value: qs.get("value") };
    case "manage": {
      const section = (MANAGE_SECTIONS as readonly string[]).includes(seg[1] ?? "") ? (seg[1] as ManageSection) : "types";
      return { view: "manage", section };
    }
    case undefined:
    default:
      return { view: "overview" };
  }
}

export function formatRoute(r: Route): string {
  switch (r.view) {
    case "overview":
      return "#/overview";
    case "board":
      return `#/board/${encodeURIComponent(r.id)}`;
    case "manage":
      return `#/manage/${r.section}`;
    case "migration":
      return "#/migration";
    case "health":
      return r.rebootedMin === 1 ? "#/health" : `#/health?rebooted=${r.rebootedMin}`;
    case "inventory": {
      if (r.column === null || r.value === null) return "#/inventory";
      return `#/inventory?${new URLSearchParams({ col: r.column, value: r.value }).toString()}`;
    }
    case "boards": {
      const qs = new URLSearchParams();
      for (const k of FACETS) if (r.filter[k].length > 0) qs.set(k, r.filter[k].join(","));
      if (r.filter.q.trim() !== "") qs.set("q", r.filter.q);
      if (r.sort.key !== DEFAULT_SORT.key || r.sort.desc !== DEFAULT_SORT.desc) qs.set("sort", `${r.sort.desc ? "-" : ""}${r.sort.key}`);
      const s = qs.toString();
      return s ? `#/boards?${s}` : "#/boards";
    }
  }
}

export function boardsRoute(filter: Partial<BoardFilter> = {}): Route {
  return { view: "boards", filter: { ...emptyFilter(), ...filter }, sort: DEFAULT_SORT };
}
