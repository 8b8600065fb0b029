import { readFileSync } from "node:fs";
import { createAcl } from "@bbb/broker";
import { join } from "node:path";
import type { Extension, ServerContext } from "../extension.js";
import { MANAGER_VERSION } from "../version.js";
import { ManagerErrorCodes } from "../errors.js";
import type { Authenticate } from "./auth-types.js";
import { createMqttAuthRoutes } from "./mqtt-auth/mqtt-auth-routes.js";
import { createMqttIdentityResolver } from "./mqtt-auth/mqtt-identity.js";
import { mosquittoExportMethods } from "./mosquitto-export.js";
import { createRestHandler, type RestLimits } from "./rest/rest-handler.js";
import type { RpcSocketLimits } from "./socket/limits.js";
import { createRpcSocketServer, type RpcSocketServer } from "./socket/rpc-socket-server.js";
import type { Clock } from "./webhooks/clock.js";
import type { DeliveryOptions, FetchLike } from "./webhooks/delivery.js";
import { createJsonFileWebhookStore } from "./webhooks/store.js";
import { createWebhookMethods } from "./webhooks/webhook-methods.js";
import { createWebhookService, type WebhookService } from "./webhooks/webhook-service.js";
import { CodedError } from "@bbb/shared";

export interface FrontExtensionOptions {
  /** Command socket; port and bind default to the config's cmdPort and bind. false: no socket. */
  socket?: { port?: number; bind?: string; limits?: Partial<RpcSocketLimits> } | false;
  /** REST under /api. false: not mounted. */
  rest?: { limits?: Partial<RestLimits> } | false;
  /** Webhooks; rules live in <dataDir>/webhooks.json unless `file` says otherwise. */
  webhooks?: { file?: string; fetch?: FetchLike; clock?: Clock; delivery?: Partial<DeliveryOptions> };
  /**
   * POST /api/mqtt/auth and /api/mqtt/acl for an external broker (EMQX / VerneMQ HTTP auth).
   * Default: on when the config names an external broker (mqttUrl), off otherwise.
   */
  mqttHttpAuth?: boolean;
}

/**
 * The manager's front doors as one extension of the all-in-one server: the TCP command socket,
 * the REST API with its OpenAPI document, and event webhooks (whose rule and window methods
 * join the service table, so every front door has them).
 */
export function createFrontExtension(opts: FrontExtensionOptions = {}): Extension {
  let socket: RpcSocketServer | null = null;
  let unregister: (() => void) | null = null;
  let webhooks: WebhookService | null = null;
  let fleetSecret: string | null = null;
  const getWebhooks = () => {
    if (!webhooks) throw new CodedError(ManagerErrorCodes.UNAVAILABLE, "webhooks are not running");
    return webhooks;
  };

  return {
    name: "front",
    methods: (deps) => [
      ...createWebhookMethods({ webhooks: getWebhooks }),
      ...mosquittoExportMethods(deps, () => {
        if (fleetSecret === null) throw new CodedError(ManagerErrorCodes.UNAVAILABLE, "the front doors are not running");
        return fleetSecret;
      }),
    ],
    async start(ctx: ServerContext) {
      const log = ctx.log.child({ module: "front" });
      fleetSecret = ctx.fleetSecret;
      const authenticate: Authenticate = (u, p) => ctx.users.verify(u, p);
      const tokens = ctx.sessions.tokens;
      const w = createWebhookService({
        events: ctx.events,
        store: createJsonFileWebhookStore(opts.webhooks?.file ?? join(ctx.config.dataDir, "webhooks.json")),
        log,
        ...(opts.webhooks?.fetch ? { fetch: opts.webhooks.fetch } : {}),
        ...(opts.webhooks?.clock ? { clock: opts.webhooks.clock } : {}),
        ...(opts.webhooks?.delivery ? { delivery: opts.webhooks.delivery } : {}),
      });
      await w.start();
      webhooks = w;
      const ports: Record<string, number> = {};
      if (opts.socket !== false) {
        const s = createRpcSocketServer({
          methods: ctx.table(),
          authenticate,
          events: ctx.events,
          log,
          tokens,
          throttle: ctx.loginThrottle,
          audit: ctx.manager.audit,
          ...(opts.socket?.limits ? { limits: opts.socket.limits } : {}),
        });
        try {
          ports.cmd = (
            await s.start({
              port: opts.socket?.port ?? ctx.config.cmdPort,
              bind: opts.socket?.bind ?? ctx.config.bind,
              ...(ctx.config.tls
                ? { tls: { cert: readFileSync(ctx.config.tls.cert), key: readFileSync(ctx.config.tls.key) } }
                : {}),
            })
          ).port;
        } catch (e: unknown) {
          // The server only stops extensions that started: undo the webhooks here (port taken, ...).
          await w.stop();
          webhooks = null;
          throw e;
        }
        socket = s;
        unregister = ctx.sessions.onSignOut((t, act) => s.closeSessions(t, act));
      }
      if (opts.rest === false) return { ports };
      const mqttAuth = opts.mqttHttpAuth ?? ctx.config.mqttUrl !== undefined;
      const acl = createAcl(ctx.config.topicRoot);
      const extraPostRoutes = mqttAuth
        ? createMqttAuthRoutes({
            resolver: createMqttIdentityResolver({ users: ctx.users, fleetSecret: ctx.fleetSecret, acl }),
            acl,
            log,
          })
        : undefined;
      const api = createRestHandler({
        methods: ctx.table(),
        authenticate,
        log,
        tokens,
        throttle: ctx.loginThrottle,
        audit: ctx.manager.audit,
        version: MANAGER_VERSION,
        // Other extensions may mount their own /api routes after this one; the shell answers 404.
        passUnmatched: true,
        ...(extraPostRoutes ? { extraPostRoutes } : {}),
        ...(opts.rest?.limits ? { limits: opts.rest.limits } : {}),
      });
      return { ports, api };
    },
    async stop() {
      unregister?.();
      unregister = null;
      await socket?.stop();
      socket = null;
      await webhooks?.stop();
      webhooks = null;
    },
  };
}
