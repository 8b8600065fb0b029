import { createStallRecorder } from "./stall-recorder.mjs";

/**
 * The machine's own stalls, as a reference for the server's: an idle Node process whose only
 * work is the stall recorder's timer. A stall here means the process was not run (CPU
 * contention, the hypervisor) — a delay the server under test suffers too without causing it.
 * IPC: {cmd: "stats"} → {stalls: [{atMs, ms}], maxMs}; {cmd: "reset"}.
 */
const recorder = createStallRecorder({ limit: 200 });
// The recorder's timer is unref'd: the IPC channel keeps this process alive until disconnect.
process.on("message", (msg) => {
  if (msg?.cmd === "reset") {
    recorder.reset();
    process.send({ rid: msg.rid, ok: true });
  } else if (msg?.cmd === "stats") process.send({ rid: msg.rid, ...recorder.stats() });
});
process.on("disconnect", () => process.exit(0));
