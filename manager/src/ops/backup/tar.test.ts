import { describe, expect, it } from "vitest";
import { END_OF_ARCHIVE, fileHeader, padding, readTar, type TarEntry } from "./tar.js";

async function* chunks(buf: Buffer, size: number) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const archive = (files: [string, Buffer][]) =>
  Buffer.concat([
    ...files.flatMap(([p, b]) => [fileHeader(p, b.length, 0o600, 0), b, padding(b.length)]),
    END_OF_ARCHIVE,
  ]);

/** Rewrites the first header's checksum after a test changed it. */
function resum(buf: Buffer): Buffer {
  const h = buf.subarray(0, 512);
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  return buf;
}

async function read(buf: Buffer, chunkSize = 7) {
  const out: (TarEntry & { data: string })[] = [];
  await readTar(chunks(buf, chunkSize), (e) => {
    const parts: Buffer[] = [];
    return {
      data: (c) => void parts.push(Buffer.from(c)),
      end: () => void out.push({ ...e, data: Buffer.concat(parts).toString() }),
    };
  });
  return out;
}

describe("ustar subset", () => {
  it("round-trips files of any size in chunks of any size, long paths included", async () => {
    const long = `${"d".repeat(120)}/${"f".repeat(90)}`;
    const files: [string, Buffer][] = [
      ["a.json", Buffer.from("{}")],
      ["empty", Buffer.alloc(0)],
      ["dir/block", Buffer.alloc(512, 1)],
      [long, Buffer.from("x".repeat(1000))],
    ];
    for (const size of [1, 7, 512, 100_000]) {
      const got = await read(archive(files), size);
      expect(got.map((e) => [e.path, e.size, e.mode])).toEqual(files.map(([p, b]) => [p, b.length, 0o600]));
      expect(got[3]?.data).toBe("x".repeat(1000));
    }
  });

  it("refuses unsafe paths, links, bad checksums and truncation", async () => {
    expect(() => fileHeader("../etc/passwd", 1, 0o600, 0)).toThrow(/archivable/);
    expect(() => fileHeader("/abs", 1, 0o600, 0)).toThrow(/archivable/);
    const good = archive([["a", Buffer.from("hi")]]);
    const link = Buffer.from(good);
    link[156] = "2".charCodeAt(0);
    await expect(read(link)).rejects.toThrow(/checksum/);
    await expect(read(resum(link))).rejects.toThrow(/only regular files/);
    const dotdot = Buffer.from(good);
    dotdot.write("..\0", 0, "ascii");
    await expect(read(resum(dotdot))).rejects.toThrow(/unsafe path/);
    await expect(read(good.subarray(0, 600))).rejects.toThrow(/truncated/);
  });
});
