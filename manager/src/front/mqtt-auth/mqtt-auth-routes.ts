import type { IncomingMessage, ServerResponse } from "node:http";
import { exposesManagerTraffic, type Acl } from "@bbb/broker";
import type { Logger } from "pino";
import { z } from "zod";
import { sendJson } from "../rest/http-io.js";
import type { ExtraRoute } from "../rest/rest-handler.js";
import type { MqttIdentityResolver } from "./mqtt-identity.js";

/*
 * HTTP authentication / authorisation for an external MQTT cluster (docs/deployment.md §"Docker Swarm"),
 * in the two request formats such brokers send:
 * - EMQX 5 HTTP authenticator / authorizer, with a body template of
 *   {"username":"${username}","password":"${password}","clientid":"${clientid}"} and
 *   {"username":"${username}","clientid":"${clientid}","topic":"${topic}","action":"${action}","retain":"${retain}"};
 *   answer 200 {"result":"allow"|"deny"} (plus "is_superuser": false on authentication).
 * - VerneMQ webhooks (header `vernemq-hook`): auth_on_register, auth_on_publish,
 *   auth_on_subscribe; answer {"result":"ok"} or {"result":{"error":"not_allowed"}}.
 * An HTTP authoriser cannot rewrite payloads, so requests through these brokers carry an
 * `auth.login` token (docs/protocol.md §"Manager requests").
 */

const str = z.string().max(1024);
const emqxAuthSchema = z.looseObject({ username: str.optional(), password: str.optional(), clientid: str.optional() });
const emqxAclSchema = z.looseObject({
  username: str.optional(),
  clientid: str.optional(),
  topic: str,
  action: z.enum(["publish", "subscribe", "all"]),
  retain: z.union([z.boolean(), z.string(), z.number()]).optional(),
});
const vmqRegisterSchema = z.looseObject({
  username: str.nullable().optional(),
  password: str.nullable().optional(),
  client_id: str,
});
const vmqPublishSchema = z.looseObject({
  username: str.nullable().optional(),
  client_id: str,
  topic: str,
  retain: z.boolean().optional(),
});
const vmqSubscribeSchema = z.looseObject({
  username: str.nullable().optional(),
  client_id: str,
  topics: z.array(z.looseObject({ topic: str })).max(100),
});

const truthy = (v: unknown) => v === true || v === "true" || v === 1 || v === "1";

export function createMqttAuthRoutes(deps: {
  resolver: MqttIdentityResolver;
  acl: Acl;
  log: Logger;
}): Record<string, ExtraRoute> {
  const { resolver, acl } = deps;
  const log = deps.log.child({ module: "mqtt-http-auth" });
  const vmqOk = (res: ServerResponse) => sendJson(res, 200, { result: "ok" });
  const vmqDeny = (res: ServerResponse) => sendJson(res, 200, { result: { error: "not_allowed" } });
  const emqx = (res: ServerResponse, allow: boolean, auth = false) =>
    sendJson(res, 200, { result: allow ? "allow" : "deny", ...(auth ? { is_superuser: false } : {}) });
  const hook = (req: IncomingMessage) => {
    const h = req.headers["vernemq-hook"];
    return typeof h === "string" ? h : null;
  };
  const canPublish = (username: string, clientId: string, topic: string, retain: boolean) => {
    const id = resolver.identityOf(username, clientId);
    return id !== null && acl.publish(id, topic, retain).ok;
  };
  const canSubscribe = (username: string, clientId: string, filter: string) => {
    const id = resolver.identityOf(username, clientId);
    if (id === null || !acl.subscribe(id, filter)) return false;
    // These brokers ask only at SUBSCRIBE: no filter of a user's may reach requests or others' replies.
    return id.role === "manager" || id.role === "agent" || !exposesManagerTraffic(acl.rootPrefix.slice(0, -1), filter, id.username);
  };

  return {
    "/mqtt/auth": async (req, res, body) => {
      const vmq = hook(req);
      if (vmq) {
        const p = vmqRegisterSchema.safeParse(body);
        if (vmq !== "auth_on_register" || !p.success) return vmqDeny(res);
        const id = await resolver.login(p.data.username ?? "", p.data.password ?? "", p.data.client_id);
        log.debug({ username: p.data.username, ok: id !== null }, "mqtt http auth");
        return id ? vmqOk(res) : vmqDeny(res);
      }
      const p = emqxAuthSchema.safeParse(body);
      if (!p.success) return emqx(res, false, true);
      const id = await resolver.login(p.data.username ?? "", p.data.password ?? "", p.data.clientid ?? "");
      log.debug({ username: p.data.username, ok: id !== null }, "mqtt http auth");
      emqx(res, id !== null, true);
    },
    "/mqtt/acl": (req, res, body) => {
      aclDecision(req, res, body);
      return Promise.resolve();
    },
  };

  function aclDecision(req: IncomingMessage, res: ServerResponse, body: unknown): void {
    const vmq = hook(req);
    if (vmq === "auth_on_publish") {
      const p = vmqPublishSchema.safeParse(body);
      return p.success && canPublish(p.data.username ?? "", p.data.client_id, p.data.topic, p.data.retain === true)
        ? vmqOk(res)
        : vmqDeny(res);
    }
    if (vmq === "auth_on_subscribe") {
      const p = vmqSubscribeSchema.safeParse(body);
      return p.success && p.data.topics.every((t) => canSubscribe(p.data.username ?? "", p.data.client_id, t.topic))
        ? vmqOk(res)
        : vmqDeny(res);
    }
    if (vmq) return vmqDeny(res);
    const p = emqxAclSchema.safeParse(body);
    if (!p.success) return emqx(res, false);
    const { username = "", clientid = "", topic, action } = p.data;
    const pub = () => canPublish(username, clientid, topic, truthy(p.data.retain));
    const sub = () => canSubscribe(username, clientid, topic);
    emqx(res, action === "publish" ? pub() : action === "subscribe" ? sub() : pub() && sub());
  }
}
