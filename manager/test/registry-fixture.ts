import { pino } from "pino";
import type { Heartbeat, Node } from "@bbb/shared";
import { createRegistry } from "../src/registry/create-registry.js";
import type { RegistryDeps, RegistrySink } from "../src/registry/registry-types.js";

/** Sink entries that record nothing; a test passes the ones it watches. */
const quietSink: RegistrySink = {
  hostChanged: () => undefined,
  hostRemoved: () => undefined,
  nodeChanged: () => undefined,
  stateChanged: () => undefined,
  flappingChanged: () => undefined,
};

export interface RegistryFixtureOptions {
  sink?: Partial<RegistrySink>;
  health?: RegistryDeps["health"];
  /** State changes within a minute that make a board flapping (100: none of these tests flaps). */
  flapMaxChanges?: number;
  /** Where the hand-driven clock starts, in ms. */
  start?: number;
}

/**
 * A real registry on a hand-driven clock with no broker: the state of a board is a function of
 * plain numbers. The beats below carry ts 0, so clock skew is not judged here: it is tested in
 * test/reliability-clock-skew.test.ts.
 */
export function registryFixture(o: RegistryFixtureOptions = {}) {
  let t = o.start ?? 1_000_000;
  const reg = createRegistry({
    log: pino({ level: "silent" }),
    now: () => t,
    heartbeatMs: 1000,
    rebootGraceMs: 10_000,
    flap: { maxChanges: o.flapMaxChanges ?? 100, windowMs: 60_000 },
    maxClockSkewMs: Infinity,
    sink: { ...quietSink, ...o.sink },
    ...(o.health ? { health: o.health } : {}),
  });
  return {
    reg,
    now: () => t,
    /** Moves the clock only; the registry's sweep is the test's to call. */
    advance: (ms: number) => void (t += ms),
  };
}

export const heartbeat = (id: string, session: string, over: Partial<Heartbeat> = {}): Heartbeat => ({
  v: 1,
  id,
  session,
  seq: 1,
  ts: 0,
  hostname: `h-${id}`,
  ip: "10.128.20.5",
  type: "mbtemp",
  uptime: 1,
  ...over,
});

export const status = (state: "online" | "offline" | "lost", session: string) => ({
  v: 1 as const,
  state,
  session,
  ts: 0,
});

export const node = (hostname: string, over: Partial<Node> = {}): Node => ({
  hostname,
  ip: { mode: "dhcp" },
  nameservers: [],
  type: "mbtemp",
  sector: null,
  pvPrefixes: [],
  boardId: null,
  notes: "",
  spare: false,
  ...over,
});
