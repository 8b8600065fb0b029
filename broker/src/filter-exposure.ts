/**
 * docs/protocol.md §"Manager requests": requests (they may carry a token or a password) are for the
 * manager alone, and replies for the user they name. Our broker enforces that per message
 * (acl.forward); a broker that asks only at SUBSCRIBE (EMQX's HTTP authorizer, VerneMQ's
 * auth_on_subscribe) must refuse any filter that could match them. True when `filter` could
 * match a request, another user's reply `<root>/manager/response/<user>/<replyTo>` or the user
 * store the manager shares with our replicas (`<root>/manager/users`, password hashes). (Replies
 * to `<root>/manager/response/<clientId>` answer only our broker's stamps, so they never cross
 * another broker.)
 */
export function exposesManagerTraffic(root: string, filter: string, username: string): boolean {
  const f = filter.split("/");
  const ANY = null;
  /** Whether filter `f` matches some topic whose levels are given; ANY matches any literal, a predicate any literal it accepts. */
  const matches = (levels: readonly (string | null | ((s: string) => boolean))[]): boolean => {
    for (let i = 0; i < f.length; i++) {
      const part = f[i] as string;
      if (part === "#") return true;
      const want = levels[i];
      if (want === undefined) return false;
      if (part === "+" || want === ANY) continue;
      if (typeof want === "function" ? !want(part) : part !== want) return false;
    }
    return f.length === levels.length;
  };
  const notMe = (s: string) => s !== username;
  return matches([root, "manager", "request", ANY]) || matches([root, "manager", "response", notMe, ANY]) || matches([root, "manager", "users"]);
}
