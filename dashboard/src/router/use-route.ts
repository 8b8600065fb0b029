import { onScopeDispose, shallowRef, type ShallowRef } from "vue";
import { formatRoute, parseRoute, type Route } from "./route.js";

export interface Router {
  route: ShallowRef<Route>;
  /** Navigate; `replace` for filter edits so typing does not flood the back button. */
  go(r: Route, opts?: { replace?: boolean }): void;
  href(r: Route): string;
}

/** Hash routing over window.location (no router library: four views and a query string). */
export function createRouter(win: Window = window): Router {
  const route = shallowRef<Route>(parseRoute(win.location.hash));
  const onHash = () => {
    route.value = parseRoute(win.location.hash);
  };
  win.addEventListener("hashchange", onHash);
  onScopeDispose(() => win.removeEventListener("hashchange", onHash));
  return {
    route,
    go(r, opts = {}) {
      const h = formatRoute(r);
      if (opts.replace) win.history.replaceState(null, "", h);
      else win.history.pushState(null, "", h);
      route.value = parseRoute(h);
    },
    href: formatRoute,
  };
}
