// A generated document: written, or with `--check` compared with the file on disk (exit 1 if stale).
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

export function writeOrCheck(file, text, regenerate) {
  const name = relative(join(import.meta.dirname, "..", ".."), file);
  if (!process.argv.includes("--check")) {
    writeFileSync(file, text);
    console.log(`wrote ${name}`);
    return;
  }
  let onDisk = "";
  try {
    onDisk = readFileSync(file, "utf8");
  } catch {
    // A missing file is stale too.
  }
  if (onDisk !== text) {
    console.error(`${name} is stale: run \`${regenerate}\``);
    process.exit(1);
  }
  console.log(`${name} is current`);
}
