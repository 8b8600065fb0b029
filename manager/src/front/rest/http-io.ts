import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorSpec } from "@bbb/shared";
import { ManagerErrors } from "../../errors.js";
import { appError, type AppError } from "../errors.js";
import { PROBLEM_TYPE, problemBody } from "./problem.js";

// Fatal: a body in another encoding (Latin-1, UTF-16) is refused, not stored with U+FFFD
// (RELIABILITY.md §"Bad input": wrong encodings are rejected; RFC 8259 §8.1: JSON is UTF-8).
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** An HTTP-level failure before a method runs (bad JSON, body too large, bad route). */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(
    spec: ErrorSpec,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = spec.status;
    this.code = spec.code;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}

export function sendAppError(res: ServerResponse, e: AppError, headers: Record<string, string> = {}): void {
  sendJson(res, e.status, problemBody(e), { "content-type": `${PROBLEM_TYPE}; charset=utf-8`, ...headers });
}

/** Answers a catalogue entry with this occurrence's message (status from the catalogue). */
export function sendError(
  res: ServerResponse,
  spec: ErrorSpec,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendAppError(res, appError(spec, message), headers);
}

export function sendHttpError(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, problemBody(e), { "content-type": `${PROBLEM_TYPE}; charset=utf-8`, ...e.headers });
}

/**
 * Reads a JSON body with a hard size limit: a declared or actual size past the limit is 413
 * without reading the rest (the connection is closed after the answer), invalid JSON is 400.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new HttpError(ManagerErrors.TOO_LARGE, `body larger than ${maxBytes} bytes`, { connection: "close" });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes)
      throw new HttpError(ManagerErrors.TOO_LARGE, `body larger than ${maxBytes} bytes`, { connection: "close" });
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(Buffer.concat(chunks, size));
  } catch {
    throw new HttpError(ManagerErrors.PARSE_ERROR, "body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(ManagerErrors.PARSE_ERROR, "body is not valid JSON");
  }
}
