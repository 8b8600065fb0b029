/**
 * bbbread's sector names and ours (docs/legacy-protocols.md "Sectors"): `IA-01`…`IA-20` are
 * rack rooms 1–20, the area names are the named sectors. Unknown names are kept as given.
 */
// A Map, not an object literal: a board's hash may say `__proto__` or `constructor`.
const NAMED: ReadonlyMap<string, string> = new Map([
  ["LINAC Area", "LINAC"],
  ["Power Area", "Fontes"],
  ["RF Area", "RF"],
  ["Connectivity Area", "Conectividade"],
  ["Others", "Outros"],
]);

export function sectorFromBbbread(name: string): string {
  const ia = /^IA-(\d{1,2})$/.exec(name.trim());
  if (ia) return String(Number(ia[1]));
  return NAMED.get(name.trim()) ?? name.trim();
}

export function sectorToBbbread(ours: string): string {
  if (/^\d{1,2}$/.test(ours)) return `IA-${ours.padStart(2, "0")}`;
  for (const [theirs, o] of NAMED) if (o === ours) return theirs;
  return ours;
}
