import type { Logger } from "pino";
import type { EventBus } from "../../service/events.js";
import { systemClock, type Clock } from "./clock.js";
import { createDeliverer, DEFAULT_DELIVERY_OPTIONS, type DeliveryOptions, type FetchLike } from "./delivery.js";
import { createIncidentEngine } from "./incidents.js";
import {
  maintenanceWindowSchema,
  webhookRuleSchema,
  type Delivery,
  type MaintenanceWindow,
  type MaintenanceWindowInput,
  type WebhookData,
  type WebhookRule,
  type WebhookRuleInput,
} from "./schemas.js";
import type { WebhookStore } from "./store.js";

export interface WebhookServiceDeps {
  events: EventBus;
  store: WebhookStore;
  log: Logger;
  fetch?: FetchLike;
  clock?: Clock;
  delivery?: Partial<DeliveryOptions>;
  userAgent?: string;
}

/** Windows that ended more than this long ago are dropped when the configuration is saved. */
const KEEP_ENDED_WINDOWS_MS = 7 * 24 * 3600_000;

/**
 * Event webhooks: rules and maintenance windows (persisted through the store), the incident
 * engine fed by the EventBus, and the delivery log.
 */
export function createWebhookService(deps: WebhookServiceDeps) {
  const log = deps.log.child({ module: "webhooks" });
  const clock = deps.clock ?? systemClock;
  const deliverer = createDeliverer({
    fetch: deps.fetch ?? ((url, init) => fetch(url, init)),
    clock,
    log,
    options: { ...DEFAULT_DELIVERY_OPTIONS, ...deps.delivery },
    userAgent: deps.userAgent ?? "bbb-manager-webhooks",
  });
  let data: WebhookData = { v: 1, rules: [], windows: [] };
  const engine = createIncidentEngine({ clock, deliverer, rules: () => data.rules, windows: () => data.windows, log });
  let unsubscribe: (() => void) | null = null;
  // Saves are serialised so two quick edits cannot land out of order on disk.
  let saving: Promise<void> = Promise.resolve();
  const save = (next: WebhookData) => {
    const cutoff = clock.now() - KEEP_ENDED_WINDOWS_MS;
    data = { ...next, windows: next.windows.filter((w) => w.until > cutoff) };
    const snapshot = data;
    saving = saving.catch(() => {}).then(() => deps.store.save(snapshot));
    return saving;
  };

  return {
    async start(): Promise<void> {
      data = await deps.store.load();
      unsubscribe = deps.events.on((e) => {
        if (e.kind === "state-change") engine.onStateChange(e);
        else if (e.kind === "problems-change") engine.onProblemsChange(e);
      });
      log.info({ rules: data.rules.length, windows: data.windows.length }, "webhooks started");
    },
    async stop(): Promise<void> {
      unsubscribe?.();
      unsubscribe = null;
      engine.stop();
      deliverer.stop();
      await saving.catch(() => {});
    },
    listRules: (): WebhookRule[] => data.rules.map((r) => ({ ...r })),
    async upsertRule(input: WebhookRuleInput): Promise<WebhookRule> {
      const rule = webhookRuleSchema.parse(input);
      await save({ ...data, rules: [...data.rules.filter((r) => r.id !== rule.id), rule] });
      engine.resetRule(rule.id);
      engine.armRule(rule);
      return rule;
    },
    async removeRule(id: string): Promise<boolean> {
      const had = data.rules.some((r) => r.id === id);
      if (had) {
        await save({ ...data, rules: data.rules.filter((r) => r.id !== id) });
        engine.resetRule(id);
      }
      return had;
    },
    listWindows: (): MaintenanceWindow[] => data.windows.map((w) => ({ ...w })),
    async upsertWindow(input: MaintenanceWindowInput): Promise<MaintenanceWindow> {
      const w = maintenanceWindowSchema.parse(input);
      await save({ ...data, windows: [...data.windows.filter((x) => x.id !== w.id), w] });
      return w;
    },
    async removeWindow(id: string): Promise<boolean> {
      const had = data.windows.some((w) => w.id === id);
      if (had) await save({ ...data, windows: data.windows.filter((w) => w.id !== id) });
      return had;
    },
    deliveries: (): Delivery[] => deliverer.list(),
  };
}
export type WebhookService = ReturnType<typeof createWebhookService>;
