/** The slice of a long list to render: rows [start, end) positioned at `offset` px. */
export interface ListWindow {
  start: number;
  end: number;
  offset: number;
  totalHeight: number;
}

/**
 * Virtual scrolling with fixed row heights: only the rows in view (plus `overscan` on each
 * side) exist in the DOM, so 10,000 rows cost the same as 40.
 */
export function computeWindow(scrollTop: number, viewport: number, rowHeight: number, total: number, overscan = 8): ListWindow {
  const totalHeight = total * rowHeight;
  if (total === 0 || rowHeight <= 0) return { start: 0, end: 0, offset: 0, totalHeight };
  const maxTop = Math.max(0, totalHeight - viewport);
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(viewport / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + visible + overscan);
  return { start, end, offset: start * rowHeight, totalHeight };
}

/** scrollTop that brings row `index` into view (keyboard navigation), or null if it already is. */
export function scrollToReveal(index: number, scrollTop: number, viewport: number, rowHeight: number): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewport) return top + rowHeight - viewport;
  return null;
}
