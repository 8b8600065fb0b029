/** One CSV record with the 1-based line it starts on (for error messages). */
export interface CsvRow {
  line: number;
  fields: string[];
}

export type CsvParse = { ok: true; rows: CsvRow[] } | { ok: false; line: number; message: string };

/**
 * RFC 4180 CSV: quoted fields with "" escapes, CRLF or LF line ends, a leading UTF-8 BOM
 * ignored (spreadsheets write one), blank lines skipped. Stops at `maxRows` records so a huge
 * upload costs no more than the limit.
 */
export function parseCsv(text: string, maxRows: number): CsvParse {
  const rows: CsvRow[] = [];
  let field = "";
  let fields: string[] = [];
  let quoted = false;
  let wasQuoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== "" || wasQuoted) rows.push({ line: rowLine, fields });
    fields = [];
    field = "";
    wasQuoted = false;
  };
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      wasQuoted = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
      if (rows.length > maxRows) return { ok: false, line, message: `more than ${maxRows - 1} rows` };
      line++;
      rowLine = line;
    } else field += c;
  }
  if (quoted) return { ok: false, line: rowLine, message: "unterminated quoted field" };
  if (field !== "" || fields.length > 0 || wasQuoted) endRow();
  if (rows.length > maxRows) return { ok: false, line, message: `more than ${maxRows - 1} rows` };
  return { ok: true, rows };
}

/** One CSV field: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(v: string): string {
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(",");
}
