export * from "./common.js";
export * from "./hosts.js";
export * from "./commands.js";
export * from "./registry-edit.js";
export * from "./history.js";
export * from "./admin.js";
export * from "./nodes-csv.js";
export * from "./sessions.js";
