/**
 * A unified diff of two texts by lines (longest common subsequence), enough to show an
 * operator what a sync would change in rc.local. Inputs are small (rc.local); texts over
 * `maxLines` lines are summarised instead of diffed.
 */
export function unifiedDiff(
  oldText: string,
  newText: string,
  opts: { oldName?: string; newName?: string; context?: number; maxLines?: number } = {},
): string {
  const ctx = opts.context ?? 3;
  const max = opts.maxLines ?? 4000;
  if (oldText === newText) return "";
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const header = `--- ${opts.oldName ?? "a"}\n+++ ${opts.newName ?? "b"}\n`;
  if (a.length > max || b.length > max)
    return `${header}@@ files too long to diff (${a.length} and ${b.length} lines) @@\n`;

  // LCS table from the end: lcs[i][j] = common lines of a[i..] and b[j..].
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const next = lcs[i + 1]!;
    for (let j = b.length - 1; j >= 0; j--) row[j] = a[i] === b[j] ? next[j + 1]! + 1 : Math.max(next[j]!, row[j + 1]!);
  }
  type Op = { t: " " | "-" | "+"; line: string };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ t: " ", line: a[i]! });
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!))
      ops.push({ t: "-", line: a[i++]! });
    else ops.push({ t: "+", line: b[j++]! });
  }

  // Group changes into hunks with `ctx` lines of context around them.
  let out = header;
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]!.t === " ") k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - ctx);
    let end = k;
    let lastChange = k;
    while (end < ops.length && (ops[end]!.t !== " " || end - lastChange <= ctx * 2)) {
      if (ops[end]!.t !== " ") lastChange = end;
      end++;
    }
    end = Math.min(ops.length, lastChange + ctx + 1);
    const hunk = ops.slice(start, end);
    const aStart = countBefore(ops, start, "-") + 1;
    const bStart = countBefore(ops, start, "+") + 1;
    const aLen = hunk.filter((o) => o.t !== "+").length;
    const bLen = hunk.filter((o) => o.t !== "-").length;
    out += `@@ -${aLen ? aStart : aStart - 1},${aLen} +${bLen ? bStart : bStart - 1},${bLen} @@\n`;
    for (const o of hunk) out += `${o.t}${o.line}\n`;
    k = end;
  }
  return out;
}

function splitLines(s: string): string[] {
  if (s === "") return [];
  const lines = s.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Lines of the old (`-`: not `+`) or new (`+`: not `-`) side before ops[end]. */
function countBefore(ops: { t: string }[], end: number, side: "-" | "+"): number {
  let n = 0;
  const skip = side === "-" ? "+" : "-";
  for (let i = 0; i < end; i++) if (ops[i]!.t !== skip) n++;
  return n;
}
