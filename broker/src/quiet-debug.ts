import { createRequire } from "node:module";

/**
 * mqtt-packet logs through the `debug` package: 58 calls on its parse and write paths, several
 * per packet. `debug`'s function collects its arguments in a rest array before it looks whether
 * its namespace is on, so every call allocates even when nothing is logged: a fifth of the
 * broker's garbage per message and ~4 % of its CPU in the profiles of BENCHMARKS.md ("Broker
 * tier: where our broker's CPU goes").
 *
 * `quietDebug` hands the packages that load `debug` after it a factory that returns a function
 * doing nothing for a namespace that is off when the function is made (`DEBUG` as set at start,
 * as `debug` reads it); a namespace that is on gets `debug`'s own function, so
 * `DEBUG=mqtt-packet:*` still logs. What it cannot reach: a namespace turned on later by
 * `debug.enable()` at run time, and modules that loaded `debug` before it ran (it reports that).
 */

export type DebugFn = ((...args: unknown[]) => void) & { enabled: boolean; namespace: string; extend?: (sub: string, delimiter?: string) => DebugFn };
export type DebugFactory = ((namespace: string) => DebugFn) & { enabled(namespace: string): boolean };

/** `debug`'s factory, returning a no-op for namespaces that are off; everything else is `debug`'s own. */
export function quietFactory(real: DebugFactory): DebugFactory {
  const off = (namespace: string): DebugFn => {
    const fn = (() => undefined) as unknown as DebugFn;
    fn.enabled = false;
    fn.namespace = namespace;
    fn.extend = (sub, delimiter = ":") => quiet(`${namespace}${delimiter}${sub}`);
    return fn;
  };
  const quiet: DebugFactory = new Proxy(real, {
    apply: (target, self, args: [string]) => (target.enabled(args[0]) ? Reflect.apply<unknown, [string], DebugFn>(target, self, args) : off(args[0])),
  });
  return quiet;
}

/**
 * Puts the quiet factory where `from`'s `require("debug")` finds it (`from`: a file of the
 * package that logs). Returns false when `from`'s package was loaded already: too late for it.
 */
export function quietDebug(from: string, isLoaded: (file: string) => boolean = (f) => f in createRequire(from).cache): boolean {
  const req = createRequire(from);
  let debugFile: string;
  try {
    debugFile = req.resolve("debug");
  } catch {
    return true; // No `debug` for that package: nothing to quiet.
  }
  const real = req("debug") as DebugFactory;
  const mod = req.cache[debugFile];
  if (mod && !(QUIET in real)) {
    const quiet = quietFactory(real);
    Object.defineProperty(quiet, QUIET, { value: true });
    mod.exports = quiet;
  }
  return !isLoaded(from);
}

const QUIET = Symbol.for("bbb.quiet-debug");

/** mqtt-packet as Aedes loads it: the package whose parser and writer log per packet. */
export function quietMqttPacket(): boolean {
  const req = createRequire(import.meta.url);
  let file: string;
  try {
    file = createRequire(req.resolve("aedes")).resolve("mqtt-packet");
  } catch {
    return false;
  }
  const parser = createRequire(file).resolve("./parser.js");
  return quietDebug(file, () => parser in req.cache);
}
