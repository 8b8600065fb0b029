/**
 * Python 3's str() of a decoded msgpack value, as the bbb-daemon checksum is computed over it
 * (docs/legacy-protocols.md "bbb-daemon checksum"): dicts in insertion order with `': '` and
 * `', '`, strings in Python's repr quoting, True/False/None, floats in repr's shortest form.
 */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "string") return pyStr(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") return pyNumber(v);
  if (v instanceof Uint8Array) return pyBytes(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(", ")}]`;
  if (typeof v === "object") {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${pyStr(k)}: ${pyRepr(x)}`);
    return `{${parts.join(", ")}}`;
  }
  throw new TypeError(`no Python form for ${typeof v}`);
}

/**
 * A msgpack integer decodes to a JS number; so does an integral float, which Python would
 * print as `1.0`. Pings carry integers (docs/legacy-protocols.md), so integral means int.
 */
function pyNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (Number.isInteger(n)) return Object.is(n, -0) ? "-0.0" : BigInt(n).toString();
  // repr(float): shortest round-trip digits, exponent form outside 1e-4 <= |x| < 1e16.
  const [mant = "", expPart = "0"] = n.toExponential().split("e");
  const exp = Number(expPart);
  // Within that range JS prints the same digits without an exponent.
  if (exp >= -4 && exp < 16) return String(n);
  const sign = exp < 0 ? "-" : "+";
  return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
}

// Python's str.isprintable() is false for these categories (and for the space separators but ' ').
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeCode(cp: number): string {
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, "0")}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, "0")}`;
  return `\\U${cp.toString(16).padStart(8, "0")}`;
}

/** repr(str): single quotes unless the text holds ' and no ". */
export function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += `\\${q}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += escapeCode(cp);
    else if (cp < 0x7f) out += ch;
    else if (ch !== " " && NON_PRINTABLE.test(ch)) out += escapeCode(cp);
    else out += ch;
  }
  return out + q;
}

/** repr(bytes): b'…' with printable ASCII kept, \t \n \r and \xNN for the rest. */
function pyBytes(b: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const x of b) {
    if (x === 0x27) hasSingle = true;
    if (x === 0x22) hasDouble = true;
  }
  const q = hasSingle && !hasDouble ? '"' : "'";
  let out = `b${q}`;
  for (const x of b) {
    const ch = String.fromCharCode(x);
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += `\\${q}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (x < 0x20 || x >= 0x7f) out += escapeCode(x);
    else out += ch;
  }
  return out + q;
}
