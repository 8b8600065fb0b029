import { onScopeDispose, shallowRef } from "vue";

/** A clock ref ticking every `ms` (relative times on screen); stops with its scope. */
export function useNow(ms = 1000) {
  const now = shallowRef(Date.now());
  const t = setInterval(() => (now.value = Date.now()), ms);
  onScopeDispose(() => clearInterval(t));
  return now;
}
