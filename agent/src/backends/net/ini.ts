/**
 * Minimal systemd unit-file (ini) model that keeps comments and unknown keys, so rewriting a
 * .network file changes only what the command asked for.
 */
export interface IniSection {
  name: string;
  lines: string[];
}

export function parseIni(text: string): { head: string[]; sections: IniSection[] } {
  const head: string[] = [];
  const sections: IniSection[] = [];
  for (const raw of text.split("\n")) {
    const m = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (m?.[1]) sections.push({ name: m[1], lines: [] });
    else (sections[sections.length - 1]?.lines ?? head).push(raw);
  }
  return { head, sections };
}

export function iniValues(section: IniSection | undefined, key: string): string[] {
  if (!section) return [];
  const out: string[] = [];
  for (const l of section.lines) {
    const m = /^\s*([A-Za-z0-9]+)\s*=\s*(.*?)\s*$/.exec(l);
    if (m?.[1] === key) out.push(m[2] ?? "");
  }
  return out;
}

export function renderIni(doc: { head: string[]; sections: IniSection[] }): string {
  const parts: string[] = [];
  const head = trimBlank(doc.head);
  if (head.length) parts.push(head.join("\n"));
  for (const s of doc.sections) parts.push([`[${s.name}]`, ...trimBlank(s.lines)].join("\n"));
  return parts.join("\n\n") + "\n";
}

function trimBlank(lines: string[]): string[] {
  const out = [...lines];
  while (out.length && out[out.length - 1]?.trim() === "") out.pop();
  while (out.length && out[0]?.trim() === "") out.shift();
  return out;
}
