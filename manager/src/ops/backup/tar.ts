/**
 * The small part of POSIX ustar (IEEE 1003.1-1988) a backup needs: regular files only, names
 * up to 255 bytes (prefix + name fields), sizes up to 8 GiB (11 octal digits). The reader
 * refuses everything else — links, devices, absolute or `..` paths — so an archive can never
 * write outside the folder it is extracted into. GNU tar and bsdtar read these archives.
 */
export const BLOCK = 512;
const SAFE_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

export function isSafePath(p: string): boolean {
  return SAFE_PATH.test(p) && p.split("/").every((seg) => seg !== "." && seg !== "..") && Buffer.byteLength(p) <= 255;
}

function octal(buf: Buffer, value: number, offset: number, width: number): void {
  buf.write(value.toString(8).padStart(width - 1, "0") + "\0", offset, width, "ascii");
}

/** The 512-byte header of a regular file. */
export function fileHeader(path: string, size: number, mode: number, mtimeMs: number): Buffer {
  if (!isSafePath(path)) throw new Error(`not an archivable path: ${path}`);
  const h = Buffer.alloc(BLOCK);
  let name = path;
  let prefix = "";
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf("/", 155);
    if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100) throw new Error(`path too long: ${path}`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  h.write(name, 0, 100, "utf8");
  octal(h, mode & 0o7777, 100, 8);
  octal(h, 0, 108, 8);
  octal(h, 0, 116, 8);
  octal(h, size, 124, 12);
  octal(h, Math.floor(mtimeMs / 1000), 136, 12);
  h.fill(" ", 148, 156);
  h.write("0", 156, 1, "ascii");
  h.write("ustar\x0000", 257, 8, "binary");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8, "ascii");
  return h;
}

export const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
export const END_OF_ARCHIVE = Buffer.alloc(BLOCK * 2);

export interface TarEntry {
  path: string;
  size: number;
  mode: number;
}

const field = (h: Buffer, offset: number, width: number) => {
  const raw = h.subarray(offset, offset + width);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? width : end).toString("utf8");
};
const readOctal = (h: Buffer, offset: number, width: number): number => {
  const s = field(h, offset, width).trim();
  if (!/^[0-7]*$/.test(s)) throw new Error("corrupt tar header");
  return s === "" ? 0 : parseInt(s, 8);
};

function parseHeader(h: Buffer): TarEntry {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  if (sum !== readOctal(h, 148, 8)) throw new Error("tar header checksum mismatch");
  const type = String.fromCharCode(h[156] ?? 0);
  const prefix = field(h, 345, 155);
  const path = prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100);
  if (type !== "0" && type !== "\0") throw new Error(`tar entry ${path}: only regular files are allowed`);
  if (!isSafePath(path)) throw new Error(`tar entry with an unsafe path: ${JSON.stringify(path)}`);
  return { path, size: readOctal(h, 124, 12), mode: readOctal(h, 100, 8) };
}

export interface EntrySink {
  data(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

/**
 * Reads an (uncompressed) tar stream entry by entry: `onEntry` returns the sink of its content.
 * Throws on a corrupt header, a forbidden entry, or a truncated archive.
 */
export async function readTar(
  source: AsyncIterable<Buffer>,
  onEntry: (e: TarEntry) => EntrySink | Promise<EntrySink>,
): Promise<void> {
  let buf: Buffer = Buffer.alloc(0);
  let entry: { sink: EntrySink; left: number; pad: number } | null = null;
  let ended = false;
  for await (const chunk of source) {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (!ended) {
      if (entry) {
        if (entry.left > 0) {
          if (buf.length === 0) break;
          const part = buf.subarray(0, Math.min(entry.left, buf.length));
          buf = buf.subarray(part.length);
          entry.left -= part.length;
          await entry.sink.data(part);
          if (entry.left > 0) break;
        }
        if (buf.length < entry.pad) break;
        buf = buf.subarray(entry.pad);
        await entry.sink.end();
        entry = null;
        continue;
      }
      if (buf.length < BLOCK) break;
      const h = buf.subarray(0, BLOCK);
      buf = buf.subarray(BLOCK);
      if (h.every((b) => b === 0)) {
        ended = true;
        break;
      }
      const e = parseHeader(h);
      entry = { sink: await onEntry(e), left: e.size, pad: padding(e.size).length };
      if (e.size === 0 && entry.pad === 0) {
        await entry.sink.end();
        entry = null;
      }
    }
  }
  if (!ended || entry) throw new Error("truncated archive");
}
