/**
 * The simulator's public entry (`@bbb/agent/sim`): a fake board root and a recording exec, so
 * the demo, tests and benches run real agents against simulated boards. Kept apart from the
 * agent's main entry so nothing that runs on a board or in the server loads it by accident.
 */
export { createFakeRoot, simMac, type FakeRoot, type FakeRootOptions } from "./fake-root.js";
export { createRecordingExec, type RecordingExec, type SimBoardState } from "./recording-exec.js";
export { createLiveBoard, type LiveBoard, type LiveBoardOptions } from "./live-board.js";
