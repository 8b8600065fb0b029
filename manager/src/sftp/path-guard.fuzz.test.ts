import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scaled, writeFigure } from "../../../scripts/reliability.mjs";
import { SftpRefusal } from "./sftp-errors.js";
import { resolvePath, virtualRealpath, virtualSegments } from "./path-guard.js";

/**
 * RELIABILITY.md §"SFTP path resolver" — "Path escapes in every place a path comes from outside": the SFTP path resolver, fed
 * generated paths against a real store with symlinks pointing out of it. A path either resolves
 * inside the tree of a type the principal may read, or is refused with an SFTP status.
 */
const RUNS = scaled(3000, 200);
const tally = { tried: 0, resolved: 0, refused: 0 };
let dir: string;
let root: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-pathfuzz-"));
  root = join(dir, "projects");
  await mkdir(join(root, "pru/sub"), { recursive: true });
  await mkdir(join(root, "mbtemp"), { recursive: true });
  await writeFile(join(root, "pru/f"), "x");
  await writeFile(join(dir, "secret"), "s");
  await symlink(join(dir, "secret"), join(root, "pru/out-file"));
  await symlink(dir, join(root, "pru/sub/out-dir"));
  await symlink("../../mbtemp", join(root, "pru/sub/other-type"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  writeFigure("input-sftp-paths", {
    kind: "input",
    title: "SFTP path resolver",
    test: "manager/src/sftp/path-guard.fuzz.test.ts",
    claim: "Every generated path resolves inside the type tree it names, or is refused; symlinks out of the store or into a restricted type never resolve.",
    figures: { "paths tried": tally.tried, "resolved inside": tally.resolved, refused: tally.refused },
    coveredElsewhere: ["SFTP escapes with OpenSSH sftp (`..`, symlinks out, writes): manager/test/sftp-openssh.test.ts", "SFTP per-type restriction for agents: manager/test/sftp-access.test.ts"],
  });
});

const segment = fc.oneof(
  fc.constantFrom("..", ".", "", "pru", "mbtemp", "sub", "f", "out-file", "out-dir", "other-type", "secret", "projects", "..."),
  fc.string({ maxLength: 6 }),
);

describe("SFTP paths under generated garbage", () => {
  it("never escape the tree of a readable type", async () => {
    const policy = { isRestricted: (t: string) => t === "mbtemp", typeOfBoard: () => "pru" };
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { maxLength: 8 }), fc.boolean(), fc.boolean(), async (segs, abs, noFollow) => {
        tally.tried++;
        const path = (abs ? "/" : "") + segs.join("/");
        expect(virtualRealpath(path).startsWith("/")).toBe(true);
        try {
          const r = await resolvePath(root, path, { kind: "agent", boardId: "b1" }, policy, { noFollow });
          tally.resolved++;
          if (r.kind === "path") {
            expect(r.real === r.typeRoot || r.real.startsWith(r.typeRoot + sep)).toBe(true);
            expect(r.typeRoot).toBe(join(root, "pru"));
          }
        } catch (e: unknown) {
          const code = (e as { code?: string }).code;
          // Refusals are SftpRefusal; a missing entry may surface as the fs error ENOENT / ENOTDIR.
          expect(e instanceof SftpRefusal || code === "ENOENT" || code === "ENOTDIR" || code === "ELOOP", String(e)).toBe(true);
          tally.refused++;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("refuses NUL bytes and climbing above the root", () => {
    expect(virtualSegments("/pru/\0/f")).toBeNull();
    expect(virtualSegments("/../etc/passwd")).toBeNull();
    expect(virtualSegments("pru/../../x")).toBeNull();
    tally.tried += 3;
    tally.refused += 3;
  });
});
