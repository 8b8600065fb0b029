import * as net from "node:net";
import {
  CA_MINOR_VERSION,
  CaCmd,
  DBE_VALUE_ALARM,
  ECA_NORMAL,
  createFramer,
  encode,
  readCString,
  stringPayload,
  type CaMessage,
} from "./ca-codec.js";
import { decodeDbr, timeTypeOf, type DbrValue } from "./dbr.js";

export interface CircuitOptions {
  host: string;
  port: number;
  clientName: string;
  hostName: string;
  /** Connect, channel creation and echo wait at most this long. */
  timeoutMs: number;
  connect?: (port: number, host: string) => net.Socket;
}

export interface Channel {
  cid: number;
  sid: number;
  name: string;
  nativeType: number;
  count: number;
}

type Waiter = { resolve: (m: CaMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/**
 * One Channel Access virtual circuit to one server (docs/epics.md §"Channel Access"): VERSION,
 * CLIENT_NAME and HOST_NAME, then CREATE_CHAN, READ_NOTIFY, EVENT_ADD (monitors) and ECHO.
 * When the server goes away every channel on it is gone: `onClose` tells the owner.
 */
export async function openCircuit(opts: CircuitOptions) {
  const sock = (opts.connect ?? ((p, h) => net.connect(p, h)))(opts.port, opts.host);
  sock.setNoDelay(true);
  const framer = createFramer();
  const waiters = new Map<string, Waiter>();
  const monitors = new Map<number, (v: DbrValue) => void>();
  const closeHandlers: Array<() => void> = [];
  let closed = false;
  let nextId = 1;

  const fail = (why: string) => {
    if (closed) return;
    closed = true;
    sock.destroy();
    for (const w of waiters.values()) {
      clearTimeout(w.timer);
      w.reject(new Error(why));
    }
    waiters.clear();
    monitors.clear();
    for (const h of closeHandlers) h();
  };

  /** Resolves with the reply keyed `cmd:id`, or rejects on timeout, an error reply or a closed circuit. */
  const expect = (key: string) =>
    new Promise<CaMessage>((resolve, reject) => {
      if (closed) return reject(new Error("circuit closed"));
      const timer = setTimeout(() => {
        waiters.delete(key);
        reject(new Error(`no answer from ${opts.host}:${opts.port} within ${opts.timeoutMs} ms`));
      }, opts.timeoutMs);
      waiters.set(key, { resolve, reject, timer });
    });
  const settle = (key: string, m: CaMessage, error?: Error) => {
    const w = waiters.get(key);
    if (!w) return;
    waiters.delete(key);
    clearTimeout(w.timer);
    if (error) w.reject(error);
    else w.resolve(m);
  };

  sock.on("data", (chunk: Buffer) => {
    let frames: CaMessage[];
    try {
      frames = framer.push(chunk);
    } catch (e: unknown) {
      return fail(e instanceof Error ? e.message : String(e));
    }
    for (const m of frames) {
      switch (m.cmd) {
        case CaCmd.CREATE_CHAN:
          settle(`chan:${m.p1}`, m);
          break;
        case CaCmd.CREATE_CH_FAIL:
          settle(`chan:${m.p1}`, m, new Error("channel refused by the server"));
          break;
        case CaCmd.READ_NOTIFY:
          settle(`read:${m.p2}`, m, m.p1 === ECA_NORMAL ? undefined : new Error(`read failed (ECA ${m.p1})`));
          break;
        case CaCmd.EVENT_ADD: {
          const v = m.p1 === ECA_NORMAL && m.payload.length > 0 ? decodeDbr(m.dataType, m.payload) : null;
          if (v) monitors.get(m.p2)?.(v);
          break;
        }
        case CaCmd.ECHO:
          settle("echo", m);
          break;
        case CaCmd.SERVER_DISCONN:
          // The server dropped one channel: simplest honest answer is to start over.
          fail("server disconnected a channel");
          break;
        case CaCmd.ERROR:
          settle(`read:${m.p2}`, m, new Error(readCString(m.payload, 16)));
          break;
        default:
          break;
      }
    }
  });
  sock.on("error", (e) => fail(e.message));
  sock.on("close", () => fail("circuit closed"));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail("connect timeout");
      reject(new Error(`connect to ${opts.host}:${opts.port} timed out`));
    }, opts.timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    closeHandlers.push(() => {
      clearTimeout(timer);
      reject(new Error(`connect to ${opts.host}:${opts.port} failed`));
    });
  });
  closeHandlers.length = 0;
  sock.write(
    Buffer.concat([
      encode({ cmd: CaCmd.VERSION, dataType: 0, count: CA_MINOR_VERSION, p1: 0, p2: 0 }),
      encode({ cmd: CaCmd.CLIENT_NAME, dataType: 0, count: 0, p1: 0, p2: 0, payload: stringPayload(opts.clientName) }),
      encode({ cmd: CaCmd.HOST_NAME, dataType: 0, count: 0, p1: 0, p2: 0, payload: stringPayload(opts.hostName) }),
    ]),
  );

  return {
    key: `${opts.host}:${opts.port}`,
    isOpen: () => !closed,
    onClose(h: () => void) {
      if (closed) h();
      else closeHandlers.push(h);
    },
    async createChannel(name: string): Promise<Channel> {
      const cid = nextId++;
      const reply = expect(`chan:${cid}`);
      sock.write(encode({ cmd: CaCmd.CREATE_CHAN, dataType: 0, count: 0, p1: cid, p2: CA_MINOR_VERSION, payload: stringPayload(name) }));
      const m = await reply;
      return { cid, sid: m.p2, name, nativeType: m.dataType, count: m.count };
    },
    /** One READ_NOTIFY of the first element as its TIME_ type. */
    async read(ch: Channel): Promise<DbrValue> {
      const ioid = nextId++;
      const reply = expect(`read:${ioid}`);
      sock.write(encode({ cmd: CaCmd.READ_NOTIFY, dataType: timeTypeOf(ch.nativeType), count: 1, p1: ch.sid, p2: ioid }));
      const m = await reply;
      const v = decodeDbr(m.dataType, m.payload);
      if (!v) throw new Error(`unreadable value of type ${m.dataType}`);
      return v;
    },
    /** EVENT_ADD: `onValue` gets the current value at once, then every change. */
    monitor(ch: Channel, onValue: (v: DbrValue) => void): void {
      const subId = nextId++;
      monitors.set(subId, onValue);
      const mask = Buffer.alloc(16);
      mask.writeUInt16BE(DBE_VALUE_ALARM, 12);
      sock.write(encode({ cmd: CaCmd.EVENT_ADD, dataType: timeTypeOf(ch.nativeType), count: 1, p1: ch.sid, p2: subId, payload: mask }));
    },
    /** ECHO round trip: false when the server does not answer in time (a hung IOC keeps its socket open). */
    async echo(): Promise<boolean> {
      const reply = expect("echo");
      sock.write(encode({ cmd: CaCmd.ECHO, dataType: 0, count: 0, p1: 0, p2: 0 }));
      try {
        await reply;
        return true;
      } catch {
        fail("echo timeout");
        return false;
      }
    },
    close: () => fail("closed by client"),
  };
}
export type Circuit = Awaited<ReturnType<typeof openCircuit>>;
