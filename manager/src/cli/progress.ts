import type { Progress } from "./rpc-client.js";

/**
 * A one-line progress bar on stderr for bulk runs, redrawn in place; on a non-terminal stderr
 * only the final count is written, so logs stay readable.
 */
export function createProgressBar(out: { write(s: string): unknown }, tty: boolean, label: string) {
  let last = "";
  let shown = false;
  let lastTotal = 0;
  let lastDone = 0;
  return {
    update(p: Progress) {
      lastTotal = p.total;
      lastDone = p.done;
      if (!tty) return;
      const width = 30;
      const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
      const filled = Math.round(frac * width);
      const line = `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${p.done}/${p.total}`;
      if (line === last) return;
      last = line;
      shown = true;
      out.write(`\r${line}`);
    },
    done() {
      if (shown) out.write("\n");
      else if (lastTotal > 0) out.write(`${label}: ${lastDone}/${lastTotal}\n`);
    },
  };
}
