/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab / CR before one) as a formula
 * (`=cmd|' /C calc'!A0`). Exported cells like that get a leading `'`, which spreadsheets show
 * as text; a cell already starting with `'` gets one more so the import can undo exactly one.
 */
const RISKY = /^[=+\-@\t\r']/;

export function escapeFormula(cell: string): string {
  return RISKY.test(cell) ? `'${cell}` : cell;
}

/** The inverse of escapeFormula for cells read back by nodes.import. */
export function unescapeFormula(cell: string): string {
  return cell.length > 1 && cell.startsWith("'") && RISKY.test(cell.slice(1)) ? cell.slice(1) : cell;
}
