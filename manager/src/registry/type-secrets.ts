import type { BoardType } from "@bbb/shared";

/** Credentials in a URL (`scheme://user:token@host`) never reach a view, a log or an error reply. */
export function redactUrl(text: string): string {
  return text.replace(/(\w+:\/\/)[^/@\s]+@/g, "$1***@");
}

/**
 * A type as every role sees it (docs/protocol.md "Types"): the git URL's credentials are
 * write-only, replaced by `***`. Methods, the retained registry/types topic and history share it.
 */
export function redactType(t: BoardType): BoardType {
  if (t.source?.kind !== "git") return t;
  const url = redactUrl(t.source.url);
  return url === t.source.url ? t : { ...t, source: { ...t.source, url } };
}

/**
 * An edit that sends back the redacted URL it was shown keeps the stored credentials: a
 * description change from the dashboard must not wipe the token.
 */
export function keepStoredSecrets(input: BoardType, before: BoardType | null | undefined): BoardType {
  const src = input.source;
  const old = before?.source;
  if (src?.kind !== "git" || old?.kind !== "git") return input;
  if (src.url === old.url || src.url !== redactUrl(old.url)) return input;
  return { ...input, source: { ...src, url: old.url } };
}
