/** PromQL words that are not metric names: aggregation modifiers, set operators, keywords. */
const KEYWORDS = new Set([
  "by",
  "without",
  "and",
  "or",
  "unless",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
]);

/**
 * The metric names a PromQL expression selects: identifiers left once label matchers `{…}`,
 * ranges `[…]`, grouping lists `by (…)`, strings and numbers are removed, other than function
 * calls and keywords. Enough for the dashboard and rule files of docs/monitoring/.
 */
export function promqlMetricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const m of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?/g)) {
    const [, word, call] = m as unknown as [string, string, string | undefined];
    if (call || KEYWORDS.has(word) || /^\d/.test(word)) continue;
    names.add(word);
  }
  return [...names];
}
