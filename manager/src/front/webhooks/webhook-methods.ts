import { z } from "zod";
import { defineMethod, type MethodDef } from "../../service/method.js";
import { deliverySchema, maintenanceWindowSchema, webhookRuleObjectSchema, webhookRuleSchema } from "./schemas.js";
import type { WebhookService } from "./webhook-service.js";
import { keepStoredRuleSecrets, redactRule, redactWebhookUrl } from "./webhook-secrets.js";

const idParams = z.object({ id: z.string().min(1).max(64) }).strict();
const removed = z.object({ removed: z.boolean() }).strict();
const empty = z.object({}).strict().default({});
/** Rules as listed: the signing secret is never sent back, only whether one is set. */
const listedRuleSchema = webhookRuleObjectSchema.omit({ secret: true }).extend({ hasSecret: z.boolean() });

/**
 * webhooks.* and maintenance.* as service methods, for the manager's method table: they then
 * appear on the socket, REST (/api/webhooks, /api/maintenance) and MQTT alike.
 */
export function createWebhookMethods(deps: { webhooks: WebhookService | (() => WebhookService) }): MethodDef[] {
  // The table is built before the service starts (it needs the event bus): resolve on call.
  const get = typeof deps.webhooks === "function" ? deps.webhooks : () => deps.webhooks as WebhookService;
  const w = {
    listRules: () => get().listRules(),
    upsertRule: (r: Parameters<WebhookService["upsertRule"]>[0]) => get().upsertRule(r),
    removeRule: (id: string) => get().removeRule(id),
    deliveries: () => get().deliveries(),
    listWindows: () => get().listWindows(),
    upsertWindow: (x: Parameters<WebhookService["upsertWindow"]>[0]) => get().upsertWindow(x),
    removeWindow: (id: string) => get().removeWindow(id),
  };
  return [
    defineMethod({
      name: "webhooks.list",
      description: "Webhook rules; secrets, header values and URL paths or credentials are never returned.",
      role: "operator",
      params: empty,
      result: z.object({ items: z.array(listedRuleSchema) }).strict(),
      http: { method: "GET", path: "/webhooks" },
      handler: () => ({
        items: w.listRules().map(({ secret, ...r }) => ({ ...redactRule(r), hasSecret: secret !== null })),
      }),
    }),
    defineMethod({
      name: "webhooks.upsert",
      description: "Create or replace a webhook rule.",
      role: "admin",
      params: webhookRuleSchema,
      result: listedRuleSchema,
      http: { method: "PUT", path: "/webhooks/{id}" },
      handler: async (p) => {
        const before = w.listRules().find((r) => r.id === p.id);
        const { secret, ...r } = await w.upsertRule(keepStoredRuleSecrets(p, before));
        return { ...redactRule(r), hasSecret: secret !== null };
      },
    }),
    defineMethod({
      name: "webhooks.remove",
      description: "Remove a webhook rule.",
      role: "admin",
      params: idParams,
      result: removed,
      http: { method: "DELETE", path: "/webhooks/{id}" },
      handler: async (p) => ({ removed: await w.removeRule(p.id) }),
    }),
    defineMethod({
      name: "webhooks.deliveries",
      description: "The delivery log: recent notifications, their attempts and outcome.",
      role: "operator",
      params: z
        .object({ ruleId: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) })
        .strict()
        .default({ limit: 100 }),
      result: z.object({ items: z.array(deliverySchema) }).strict(),
      http: { method: "GET", path: "/webhooks/deliveries" },
      handler: (p) => ({
        items: w
          .deliveries()
          .filter((d) => !p.ruleId || d.ruleId === p.ruleId)
          .slice(-p.limit)
          .reverse()
          .map((d) => ({ ...d, url: redactWebhookUrl(d.url) })),
      }),
    }),
    defineMethod({
      name: "maintenance.list",
      description: "Maintenance windows: webhook rules stay silent for their boards and sectors.",
      role: "viewer",
      params: empty,
      result: z.object({ items: z.array(maintenanceWindowSchema) }).strict(),
      http: { method: "GET", path: "/maintenance" },
      handler: () => ({ items: w.listWindows() }),
    }),
    defineMethod({
      name: "maintenance.upsert",
      description: "Create or replace a maintenance window.",
      role: "operator",
      params: maintenanceWindowSchema,
      result: maintenanceWindowSchema,
      http: { method: "PUT", path: "/maintenance/{id}" },
      handler: (p, ctx) => w.upsertWindow({ ...p, by: p.by ?? ctx.username }),
    }),
    defineMethod({
      name: "maintenance.remove",
      description: "End (remove) a maintenance window.",
      role: "operator",
      params: idParams,
      result: removed,
      http: { method: "DELETE", path: "/maintenance/{id}" },
      handler: async (p) => ({ removed: await w.removeWindow(p.id) }),
    }),
  ];
}
