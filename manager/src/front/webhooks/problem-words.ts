import type { Problem } from "@bbb/shared";

/** Conflict codes in words for the one-line `text` chat receivers show (a code reads as jargon there). */
const WORDS: Partial<Record<Problem["code"], string>> = {
  "conflict-ip": "in an IP conflict",
  "conflict-hostname": "in a hostname conflict",
  "conflict-node-ip": "on an IP registered to another node",
  "conflict-pv-prefix": "in a PV prefix conflict",
  "conflict-pv-served": "serving a PV another board serves",
  "duplicate-connection": "connected twice",
};

/**
 * What an incident of a problem rule is about: the rule's codes the boards really have (all of
 * the rule's codes when none is known), in words where there are some.
 */
export function problemLabel(ruleCodes: readonly Problem["code"][], had: readonly { code: string }[]): string {
  const present = ruleCodes.filter((c) => had.some((p) => p.code === c));
  const codes = present.length > 0 ? present : ruleCodes;
  return codes.map((c) => WORDS[c] ?? c).join("/");
}
