import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "@bbb/shared/node";
import { webhookDataSchema, type WebhookData } from "./schemas.js";

/** Where rules and maintenance windows live; the JSON file below is the default. */
export interface WebhookStore {
  load(): Promise<WebhookData>;
  save(data: WebhookData): Promise<void>;
}

/**
 * Rules and windows in one JSON file of the data directory (e.g. data/webhooks.json), written
 * atomically. A missing file is an empty configuration; a corrupt one is an error at start.
 */
export function createJsonFileWebhookStore(file: string): WebhookStore {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (e: unknown) {
        if ((e as { code?: unknown }).code === "ENOENT") return webhookDataSchema.parse({});
        throw e;
      }
      return webhookDataSchema.parse(JSON.parse(text));
    },
    async save(data) {
      await writeFileAtomic(file, JSON.stringify(data, null, 2) + "\n", 0o600);
    },
  };
}

/** In-memory store, for tests and for running without a data directory. */
export function createMemoryWebhookStore(initial?: Partial<WebhookData>): WebhookStore {
  let data = webhookDataSchema.parse(initial ?? {});
  return {
    load: () => Promise.resolve(structuredClone(data)),
    save: (d) => {
      data = structuredClone(d);
      return Promise.resolve();
    },
  };
}
