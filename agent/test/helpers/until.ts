/** Polls `cond` every `everyMs` until it holds; throws after `ms`. */
export async function until(cond: () => boolean, ms: number, everyMs = 10): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
