/**
 * The fake roots this process created in the temp dir and has not removed yet. Shared through
 * globalThis because a test may load this module twice (its sources, and the built copy a
 * manager test imports): the test runner's teardown (scripts/vitest-setup.ts) removes what a
 * test file left behind, so no run leaves board trees in /tmp.
 */
const KEY = Symbol.for("bbb.sim.tempRoots");

export function tempRoots(): Set<string> {
  const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  return (g[KEY] ??= new Set<string>());
}
