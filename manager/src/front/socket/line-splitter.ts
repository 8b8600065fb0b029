/**
 * Splits a byte stream into newline-terminated lines with a hard limit per line. An over-long
 * line is reported once and its bytes are discarded up to the next newline, so one bad line
 * costs neither memory nor the connection.
 */
export interface LineSplitter {
  push(chunk: Buffer): void;
  /** The stream ended: a last line without its newline is still a line. */
  end(): void;
}

// Fatal: a line that is not UTF-8 (Latin-1, UTF-16) is refused as a whole, not stored with U+FFFD
// (RELIABILITY.md §"Bad input": wrong encodings are rejected).
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** `onLine` gets null for a line that is not valid UTF-8. */
export function createLineSplitter(
  maxLineBytes: number,
  onLine: (line: string | null) => void,
  onOverflow: (bytes: number) => void,
): LineSplitter {
  let parts: Buffer[] = [];
  let size = 0;
  let discarding = false;
  let discarded = 0;

  const emit = (buf: Buffer) => {
    let text: string;
    try {
      text = utf8.decode(buf);
    } catch {
      onLine(null);
      return;
    }
    if (text.endsWith("\r")) text = text.slice(0, -1);
    if (text.trim() !== "") onLine(text);
  };

  return {
    push(chunk) {
      let start = 0;
      while (start < chunk.length) {
        const nl = chunk.indexOf(10, start);
        const end = nl === -1 ? chunk.length : nl;
        const piece = chunk.subarray(start, end);
        if (discarding) {
          discarded += piece.length;
        } else if (size + piece.length > maxLineBytes) {
          discarding = true;
          discarded = size + piece.length;
          parts = [];
          size = 0;
        } else if (piece.length > 0) {
          parts.push(piece);
          size += piece.length;
        }
        if (nl === -1) break;
        if (discarding) {
          onOverflow(discarded);
          discarding = false;
          discarded = 0;
        } else {
          const line = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
          parts = [];
          size = 0;
          emit(line);
        }
        start = nl + 1;
      }
      // Copy retained slices so the socket's chunk can be released.
      if (parts.length > 0 && parts[parts.length - 1]?.buffer === chunk.buffer) {
        parts[parts.length - 1] = Buffer.from(parts[parts.length - 1] as Buffer);
      }
    },
    end() {
      if (discarding) onOverflow(discarded);
      else if (size > 0) emit(Buffer.concat(parts, size));
      parts = [];
      size = 0;
      discarding = false;
      discarded = 0;
    },
  };
}
