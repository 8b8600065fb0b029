/** What the manager does with its broker connection, whichever kind it is. */
export interface LinkHandlers {
  /** `retained`: replayed on subscribe (state from before this connection), not live. */
  message(topic: string, payload: Buffer, retained: boolean): void;
  /** Connected: on the first connection and again after every reconnect. */
  up(): void;
  down(): void;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

/**
 * The manager's link to the broker: a TCP MQTT client to an external broker tier
 * (mqtt-link.ts) or an in-process client of the embedded one (local-link.ts).
 */
export interface ManagerLink {
  /** Resolves on the first connection; rejects when the broker refuses the credentials. */
  open(handlers: LinkHandlers): Promise<void>;
  subscribe(filters: readonly string[]): Promise<void>;
  unsubscribe(filters: readonly string[]): void;
  /** Fire and forget; queued while a network link is down. */
  publish(topic: string, payload: string | Buffer, opts: PublishOptions): void;
  connected(): boolean;
  /** Publishes `last` first when connected (a clean stop says so), then closes. */
  close(last?: { topic: string; payload: string; opts: PublishOptions }): Promise<void>;
}
