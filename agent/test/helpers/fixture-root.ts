import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures");

/** A private copy of an /etc fixture (agent/test/fixtures/<name>) that a test may write to. */
export async function fixtureRoot(name: string) {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), `bbb-fx-${name}-`));
  await fsp.cp(path.join(FIXTURES, name), root, { recursive: true, verbatimSymlinks: true });
  return {
    root,
    read: (p: string) => fsp.readFile(path.join(root, p), "utf8"),
    fixture: (p: string) => fsp.readFile(path.join(FIXTURES, name, p), "utf8"),
    cleanup: () => fsp.rm(root, { recursive: true, force: true }),
  };
}
