import { Readable } from "node:stream";
import type { Aedes } from "aedes";

/**
 * Whether a subscription filter can only match command topics (`<root>/<anything>/cmd/...`).
 * Commands are never retained (the broker refuses them), so no retained message can match.
 */
export function onlyCommandTopics(filter: string, root: string): boolean {
  const levels = filter.split("/");
  return levels.length >= 4 && levels[0] === root && levels[2] === "cmd";
}

/**
 * Aedes' in-memory store answers every SUBSCRIBE by testing the filter against every retained
 * topic: with 10,000 boards (20,000 retained heartbeats and statuses) each agent's
 * `<root>/<id>/cmd/#` costs 5-20 ms, so connecting N boards costs O(N^2) and a reconnect storm
 * collapses (BENCHMARKS.md, broker tier). A filter that can only match commands skips the scan.
 */
export function skipRetainedLookupForCommands(aedes: Aedes, root: string): void {
  // Aedes 1.2's typings do not declare `persistence`, which it sets in its constructor.
  const persistence = (aedes as unknown as { persistence: { createRetainedStreamCombi(patterns: string[]): Readable } })
    .persistence;
  const original = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.createRetainedStreamCombi = (patterns: string[]) =>
    patterns.every((p) => onlyCommandTopics(p, root)) ? Readable.from([]) : original(patterns);
}
