import { onScopeDispose, shallowRef, type ShallowRef } from "vue";
import { formatRoute, parseRoute, type Route } from "./route.js";

export interface Router {
  route: ShallowRef<Route>;
  /** Navigate; `replace` for filter edits so typing does not flood the back button. */
  go(r: Route, opts?: { replace?: boolean }): void;
  href(r: Route): string;
  /** The boards list as last seen (filters, sort): where "← Boards" goes back to. */
  lastBoards: ShallowRef<Route>;
  /** The board whose page was opened last, so the list can put the focus back on it. */
  lastBoard: ShallowRef<string | null>;
}

/** Hash routing over window.location (no router library: four views and a query string). */
export function createRouter(win: Window = window): Router {
  const route = shallowRef<Route>(parseRoute(win.location.hash));
  const lastBoards = shallowRef<Route>(route.value.view === "boards" ? route.value : parseRoute("#/boards"));
  const lastBoard = shallowRef<string | null>(null);
  const set = (r: Route) => {
    route.value = r;
    if (r.view === "boards") lastBoards.value = r;
    if (r.view === "board") lastBoard.value = r.id;
  };
  const onHash = () => set(parseRoute(win.location.hash));
  win.addEventListener("hashchange", onHash);
  onScopeDispose(() => win.removeEventListener("hashchange", onHash));
  return {
    route,
    go(r, opts = {}) {
      const h = formatRoute(r);
      if (opts.replace) win.history.replaceState(null, "", h);
      else win.history.pushState(null, "", h);
      set(parseRoute(h));
    },
    href: formatRoute,
    lastBoards,
    lastBoard,
  };
}
