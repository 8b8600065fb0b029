/**
 * The machine's own stalls, as a reference for the server's: an idle Node process whose only
 * work is a 10 ms timer. Whenever it fires more than 50 ms late, the process was not run (CPU
 * contention, the hypervisor) — a delay the server under test suffers too without causing it.
 * IPC: {cmd: "stats"} → {stalls: [{atMs, ms}], maxMs}; {cmd: "reset"}.
 */
let stalls = [];
let maxMs = 0;
let last = performance.now();
setInterval(() => {
  const t = performance.now();
  const late = t - last - 10;
  if (late > 50 && stalls.length < 200) stalls.push({ atMs: Math.round(performance.timeOrigin + last), ms: Math.round(late) });
  maxMs = Math.max(maxMs, late);
  last = t;
}, 10);
process.on("message", (msg) => {
  if (msg?.cmd === "reset") {
    stalls = [];
    maxMs = 0;
    process.send({ rid: msg.rid, ok: true });
  } else if (msg?.cmd === "stats") process.send({ rid: msg.rid, stalls, maxMs: Math.round(maxMs) });
});
process.on("disconnect", () => process.exit(0));
