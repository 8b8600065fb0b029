/** Shortest prefix worth hiding: "IA-" or "bbb-", not a lone letter. */
const MIN_PREFIX = 3;
/** Where a hostname's words break: a hidden prefix ends on one of these. */
const BREAKS = /[-:_.]/;

/** The last break at or before `end` (the index just after it), or 0. */
function backToBreak(s: string, end: number): number {
  let i = end;
  while (i > 0 && !BREAKS.test(s[i - 1] ?? "")) i--;
  return i;
}

/**
 * The prefix every name shares, cut back to the end of a whole word ("SI-01RaCtrl:…" and
 * "SI-02RaCtrl:…" share "SI-"), and short enough that every name keeps at least two words
 * ("PSCtrl-1", not "1"); "" when fewer than two names or the shared part is too short.
 */
export function commonPrefix(names: readonly string[]): string {
  const [first] = names;
  if (first === undefined || names.length < 2) return "";
  let len = first.length;
  for (const name of names) {
    let i = 0;
    while (i < len && i < name.length && first[i] === name[i]) i++;
    len = i;
    if (len < MIN_PREFIX) return "";
  }
  let end = backToBreak(first, len);
  while (end >= MIN_PREFIX && names.some((n) => !BREAKS.test(n.slice(end)))) end = backToBreak(first, end - 1);
  return end >= MIN_PREFIX ? first.slice(0, end) : "";
}
