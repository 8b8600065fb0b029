import type { WebhookRule } from "./schemas.js";

export const REDACTED = "***";

/**
 * A webhook URL as every role sees it (docs/protocol.md "Webhooks"): receivers put their secret
 * in the credentials or the path (`https://hooks.example/services/T0/B0/XXXX`), so only the
 * scheme and host are shown. An upsert that sends this back keeps the stored URL.
 */
export function redactWebhookUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return REDACTED;
  }
  const creds = u.username !== "" || u.password !== "" ? `${REDACTED}@` : "";
  const rest = u.pathname !== "/" || u.search !== "" || u.hash !== "" ? `/${REDACTED}` : "/";
  return `${u.protocol}//${creds}${u.host}${rest}`;
}

/** Header values are write-only; their names stay visible. */
export function redactRule<R extends Pick<WebhookRule, "url" | "headers">>(r: R): R {
  return {
    ...r,
    url: redactWebhookUrl(r.url),
    headers: Object.fromEntries(Object.keys(r.headers).map((k) => [k, REDACTED])),
  };
}

/** An edit that carries redacted values back keeps the stored ones. */
export function keepStoredRuleSecrets(input: WebhookRule, before: WebhookRule | undefined): WebhookRule {
  if (!before) return input;
  const url = input.url === redactWebhookUrl(before.url) ? before.url : input.url;
  const headers = Object.fromEntries(
    Object.entries(input.headers).map(([k, v]) => [
      k,
      v === REDACTED && before.headers[k] !== undefined ? before.headers[k] : v,
    ]),
  );
  return { ...input, url, headers };
}
