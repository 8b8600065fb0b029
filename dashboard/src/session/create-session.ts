import { createTopics, DEFAULT_TOPIC_ROOT, defaultSectors, type Role, type Sector } from "@bbb/shared";
import { effectScope, shallowRef, watch, type ShallowRef } from "vue";
import { createCommandRunner, type CommandRunner } from "../actions/command-runner.js";
import { createManagerApi, type ManagerApi } from "../api/manager-api.js";
import { errorText } from "../errors.js";
import { createRequestToken, type RequestToken } from "./request-token.js";
import { createConnection, type Connection, type ConnectionDeps, type Credentials } from "../mqtt/connection.js";
import { createRequester, type Requester } from "../mqtt/requester.js";
import { createFleetStore, type FleetStore } from "../store/fleet-store.js";
import { createNotices, type Notices } from "./notices.js";
import { detectRole } from "./role.js";
import { goneSince, loadSnapshot } from "./snapshot.js";

export interface SessionOptions {
  root?: string;
  /** Performance API measures per frame (benchmarks, `?perf` in the page URL). */
  measure?: boolean;
  connection?: ConnectionDeps;
}

export interface Session {
  readonly username: string;
  readonly url: string;
  readonly topics: ReturnType<typeof createTopics>;
  readonly conn: Connection;
  readonly store: FleetStore;
  readonly requester: Requester;
  readonly api: ManagerApi;
  readonly runner: CommandRunner;
  readonly notices: Notices;
  /** null until known; viewer until proven otherwise for anything that acts. */
  readonly role: ShallowRef<Role | null>;
  readonly sectors: ShallowRef<readonly Sector[]>;
  /** Subscribe to one board's results and log lines while its detail is open. */
  watchBoard(id: string): () => void;
  reloadSectors(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** Everything one login owns: the MQTT connection, the store, requests, commands. */
export function createSession(creds: Credentials, opts: SessionOptions = {}): Session {
  const root = opts.root ?? DEFAULT_TOPIC_ROOT;
  const topics = createTopics(root);
  const conn = createConnection(creds, opts.connection);
  const store = createFleetStore({ root, measure: opts.measure ?? false });
  let requestToken: RequestToken | null = null;
  // Answers to this user's own reply topic, with the token when auth.login gave one
  // (docs/protocol.md §"Manager requests"): the same path through our broker and any other.
  const requester = createRequester({
    topics,
    clientId: conn.clientId,
    replyTo: conn.clientId,
    token: () => requestToken?.get() ?? null,
    publish: conn.publish,
  });
  requestToken = createRequestToken({ requester, username: creds.username, password: creds.password });
  const token = requestToken;
  const api = createManagerApi(requester);
  const notices = createNotices();
  const runner = createCommandRunner({ api, topics, store, subscribe: conn.subscribe, publish: conn.publish, username: creds.username });
  const role = shallowRef<Role | null>(null);
  const sectors = shallowRef<readonly Sector[]>(defaultSectors());
  const responseTopic = topics.managerReply(creds.username, conn.clientId);
  const watchers = new Map<string, number>();
  const scope = effectScope(true);

  conn.onMessage((topic, payload) => {
    if (topic === responseTopic) requester.handleResponse(payload);
    else store.ingest(topic, payload);
  });
  conn.subscribe(responseTopic, 1);
  conn.subscribe(topics.managerStatus(), 0);
  // The registry is retained: QoS 0 spares 10,000 PUBACKs, and whatever a dropped connection
  // loses comes back with the retained messages on the next subscribe. It is subscribed after
  // the hosts.list snapshot: Aedes queues replies behind a retained stream on the same
  // connection, which would delay the snapshot by the whole stream.
  const subscribeRegistry = () => conn.subscribe(topics.filters.registry, 0);

  const reloadSectors = async () => {
    try {
      sectors.value = await api.sectors();
    } catch (e: unknown) {
      // The default Sirius table keeps the forms usable; the operator is told.
      notices.push("error", `sectors: ${errorText(e)}; using the default sector table`);
    }
  };

  const snapshot = async () => {
    const fallback = setTimeout(subscribeRegistry, 5000);
    try {
      await loadSnapshot(api, (views) => {
        // hosts.list also lists nodes without a board (id ""): those come from registry/nodes.
        for (const view of views) if (view.id !== "") store.push({ kind: "host", id: view.id, view });
      });
    } catch (e: unknown) {
      // The retained registry still brings everything, only slower.
      notices.push("info", `fast first picture unavailable (${errorText(e)}); loading board by board`);
    } finally {
      clearTimeout(fallback);
      subscribeRegistry();
    }
  };

  /**
   * After a reconnect the retained registry repaints every board that still exists, but a
   * board the manager forgot meanwhile has no retained message left to say so: a fresh
   * hosts.list tells which boards are gone.
   */
  const reconcile = async () => {
    const before = store.state.value.hosts;
    const seen = new Set<string>();
    try {
      await loadSnapshot(api, (views) => {
        for (const view of views) {
          if (view.id === "") continue;
          seen.add(view.id);
          store.push({ kind: "host", id: view.id, view });
        }
      });
    } catch {
      return; // Without a complete list nothing is removed.
    }
    for (const id of goneSince(before, store.state.value.hosts, seen)) store.push({ kind: "host", id, view: null });
  };

  /** A manager older than auth.login, or one that refuses it, still answers through our broker's stamp. */
  const login = () => token.refresh().catch(() => undefined);

  const afterFirstConnect = async () => {
    await login();
    await Promise.all([
      snapshot(),
      detectRole(api.serverInfo).then((r) => (role.value = r)),
      reloadSectors(),
    ]);
  };

  return {
    username: creds.username,
    url: creds.url,
    topics,
    conn,
    store,
    requester,
    api,
    runner,
    notices,
    role,
    sectors,
    reloadSectors,
    watchBoard(id) {
      const n = watchers.get(id) ?? 0;
      watchers.set(id, n + 1);
      if (n === 0) {
        conn.subscribe(topics.result(id, "+"));
        conn.subscribe(topics.log(id), 0);
        store.watch(id);
      }
      return () => {
        const left = (watchers.get(id) ?? 1) - 1;
        if (left > 0) return void watchers.set(id, left);
        watchers.delete(id);
        conn.unsubscribe(topics.log(id));
        // Result subscriptions stay: a run started here may still be reporting.
        store.unwatch(id);
      };
    },
    start() {
      scope.run(() => {
        let first = true;
        watch(conn.status, (s) => {
          if (s !== "online") return;
          if (first) {
            first = false;
            void afterFirstConnect();
          } else {
            void login().then(reconcile);
          }
        });
      });
      conn.start();
    },
    async stop() {
      scope.stop();
      token.stop();
      runner.stop();
      requester.cancelAll();
      await conn.stop();
    },
  };
}
