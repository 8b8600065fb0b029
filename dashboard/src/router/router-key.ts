import { inject, type InjectionKey } from "vue";
import type { Router } from "./use-route.js";

export const RouterKey: InjectionKey<Router> = Symbol("router");

export function useRouter(): Router {
  const r = inject(RouterKey);
  if (!r) throw new Error("useRouter() outside the shell");
  return r;
}
