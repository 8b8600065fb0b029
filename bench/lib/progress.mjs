/** Progress lines on stderr: phase, boards connected so far, seconds left. */
let lastLine = 0;
export function progress(phase, text, { force = true } = {}) {
  const now = Date.now();
  if (!force && now - lastLine < 2000) return;
  lastLine = now;
  const ts = new Date().toISOString().slice(11, 19);
  process.stderr.write(`${ts} [${phase}] ${text}\n`);
}

export function rampReporter(phase, label) {
  let last = 0;
  return (connected, target, secondsLeft) => {
    const now = Date.now();
    if (now - last < 2000 && connected < target) return;
    last = now;
    progress(phase, `${label}: ${connected}/${target} boards connected, ramp deadline in ${Math.round(secondsLeft)} s`);
  };
}
