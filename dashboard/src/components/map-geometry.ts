/** A sector's run of cells in the board map: cells [start, end) from grid row `row0`. */
export interface Block {
  sector: string;
  start: number;
  end: number;
  row0: number;
}

export interface MapGeometry {
  cell: number;
  gap: number;
  cols: number;
  rows: number;
  /** Left margin for sector names. */
  gutter: number;
  blocks: Block[];
}

function blocksOf(sectors: readonly string[], cols: number): { blocks: Block[]; rows: number } {
  const blocks: Block[] = [];
  let row = 0;
  let i = 0;
  while (i < sectors.length) {
    const name = sectors[i] ?? "";
    let j = i;
    while (j < sectors.length && sectors[j] === name) j++;
    blocks.push({ sector: name, start: i, end: j, row0: row });
    row += Math.ceil((j - i) / cols);
    i = j;
  }
  return { blocks, rows: row };
}

/**
 * Lays out one cell per board, each sector starting on a new grid row, choosing the largest
 * cell (40 px down to 3 px) for which everything fits in width x height: 10,000 boards fit on
 * one screen at 5-6 px.
 */
export function layoutMap(sectors: readonly string[], width: number, height: number, gutter: number, gap = 1): MapGeometry {
  const usable = Math.max(1, width - gutter);
  let best: MapGeometry | null = null;
  for (let cell = 40; cell >= 3; cell--) {
    const cols = Math.max(1, Math.floor((usable + gap) / (cell + gap)));
    const { blocks, rows } = blocksOf(sectors, cols);
    best = { cell, gap, cols, rows, gutter, blocks };
    if (rows * (cell + gap) <= height) return best;
  }
  return best ?? { cell: 3, gap, cols: 1, rows: 0, gutter, blocks: [] };
}

export function cellXY(g: MapGeometry, b: Block, index: number): { x: number; y: number } {
  const local = index - b.start;
  const step = g.cell + g.gap;
  return { x: g.gutter + (local % g.cols) * step, y: (b.row0 + Math.floor(local / g.cols)) * step };
}

/** Index of the board under (x, y), or null over a gap, the gutter or past a sector's end. */
export function hitTest(g: MapGeometry, x: number, y: number): number | null {
  const step = g.cell + g.gap;
  if (x < g.gutter) return null;
  const col = Math.floor((x - g.gutter) / step);
  const row = Math.floor(y / step);
  if (col >= g.cols || row < 0) return null;
  if ((x - g.gutter) % step >= g.cell || y % step >= g.cell) return null;
  for (const b of g.blocks) {
    const rowsOfBlock = Math.ceil((b.end - b.start) / g.cols);
    if (row >= b.row0 && row < b.row0 + rowsOfBlock) {
      const i = b.start + (row - b.row0) * g.cols + col;
      return i < b.end ? i : null;
    }
  }
  return null;
}

export function blockOf(g: MapGeometry, index: number): Block | undefined {
  return g.blocks.find((b) => index >= b.start && index < b.end);
}
