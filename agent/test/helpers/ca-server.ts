import * as dgram from "node:dgram";
import * as net from "node:net";
import { CA_MINOR_VERSION, CaCmd, ECA_NORMAL, createFramer, encode, readCString, type CaMessage } from "../../src/epics/ca-codec.js";
import { Dbr } from "../../src/epics/dbr.js";
import { encodeDbr } from "./ca-dbr-encode.js";

/**
 * A small Channel Access server for tests (an IOC stand-in): answers UDP searches and serves
 * PVs over TCP virtual circuits (CREATE_CHAN, READ_NOTIFY, EVENT_ADD/CANCEL, CLEAR_CHANNEL,
 * ECHO), as libca clients expect. UDP and TCP share one port, as a real IOC's 5064 does.
 */

export interface PvDef {
  name: string;
  type: "long" | "double" | "string";
  value: number | string;
  /** A counter: the value goes up by one every `periodMs`. */
  periodMs?: number;
}

interface Pv extends PvDef {
  stampMs: number;
  subs: Set<{ conn: net.Socket; subId: number; dataType: number }>;
}

const NATIVE = { long: Dbr.LONG, double: Dbr.DOUBLE, string: Dbr.STRING } as const;

export async function startCaServer(opts: { pvs: PvDef[]; port?: number; host?: string }) {
  const host = opts.host ?? "127.0.0.1";
  const pvs = new Map<string, Pv>(opts.pvs.map((p) => [p.name, { ...p, stampMs: Date.now(), subs: new Set() }]));
  const conns = new Set<net.Socket>();
  const timers: NodeJS.Timeout[] = [];

  const valueMsg = (cmd: number, pv: Pv, dataType: number, p2: number) => {
    const payload = encodeDbr(dataType, pv.value, pv.stampMs);
    if (!payload) return encode({ cmd, dataType, count: 1, p1: 114 /* ECA_BADTYPE */, p2 });
    return encode({ cmd, dataType, count: 1, p1: ECA_NORMAL, p2, payload });
  };

  const set = (name: string, value: number | string) => {
    const pv = pvs.get(name);
    if (!pv) throw new Error(`no PV ${name}`);
    pv.value = value;
    pv.stampMs = Date.now();
    for (const s of pv.subs) if (!s.conn.destroyed) s.conn.write(valueMsg(CaCmd.EVENT_ADD, pv, s.dataType, s.subId));
  };

  const tcp = net.createServer((conn) => {
    conns.add(conn);
    const framer = createFramer();
    /** sid → PV; sids are per circuit. */
    const channels = new Map<number, Pv>();
    let nextSid = 1;
    const dropSubs = () => {
      for (const pv of pvs.values()) for (const s of pv.subs) if (s.conn === conn) pv.subs.delete(s);
    };
    conn.on("close", () => {
      conns.delete(conn);
      dropSubs();
    });
    conn.on("error", () => conn.destroy());
    conn.on("data", (chunk: Buffer) => {
      let frames: CaMessage[];
      try {
        frames = framer.push(chunk);
      } catch {
        return void conn.destroy();
      }
      for (const m of frames) handle(m);
    });
    function handle(m: CaMessage) {
      switch (m.cmd) {
        case CaCmd.VERSION:
          conn.write(encode({ cmd: CaCmd.VERSION, dataType: 0, count: CA_MINOR_VERSION, p1: 0, p2: 0 }));
          return;
        case CaCmd.CREATE_CHAN: {
          const pv = pvs.get(readCString(m.payload));
          if (!pv) return void conn.write(encode({ cmd: CaCmd.CREATE_CH_FAIL, dataType: 0, count: 0, p1: m.p1, p2: 0 }));
          const sid = nextSid++;
          channels.set(sid, pv);
          conn.write(
            Buffer.concat([
              encode({ cmd: CaCmd.ACCESS_RIGHTS, dataType: 0, count: 0, p1: m.p1, p2: 1 /* read */ }),
              encode({ cmd: CaCmd.CREATE_CHAN, dataType: NATIVE[pv.type], count: 1, p1: m.p1, p2: sid }),
            ]),
          );
          return;
        }
        case CaCmd.READ_NOTIFY: {
          const pv = channels.get(m.p1);
          if (pv) conn.write(valueMsg(CaCmd.READ_NOTIFY, pv, m.dataType, m.p2));
          return;
        }
        case CaCmd.EVENT_ADD: {
          const pv = channels.get(m.p1);
          if (!pv) return;
          pv.subs.add({ conn, subId: m.p2, dataType: m.dataType });
          conn.write(valueMsg(CaCmd.EVENT_ADD, pv, m.dataType, m.p2));
          return;
        }
        case CaCmd.EVENT_CANCEL: {
          const pv = channels.get(m.p1);
          if (!pv) return;
          for (const s of pv.subs) if (s.conn === conn && s.subId === m.p2) pv.subs.delete(s);
          // The cancel is confirmed with an EVENT_ADD carrying no data.
          conn.write(encode({ cmd: CaCmd.EVENT_ADD, dataType: m.dataType, count: 0, p1: m.p1, p2: m.p2 }));
          return;
        }
        case CaCmd.CLEAR_CHANNEL: {
          const pv = channels.get(m.p1);
          if (pv) for (const s of pv.subs) if (s.conn === conn) pv.subs.delete(s);
          channels.delete(m.p1);
          conn.write(encode({ cmd: CaCmd.CLEAR_CHANNEL, dataType: 0, count: 0, p1: m.p1, p2: m.p2 }));
          return;
        }
        case CaCmd.ECHO:
          conn.write(encode({ cmd: CaCmd.ECHO, dataType: 0, count: 0, p1: 0, p2: 0 }));
          return;
        default:
          // CLIENT_NAME, HOST_NAME, EVENTS_ON/OFF and writes: nothing to answer.
          return;
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = tcp.address();
  if (addr === null || typeof addr === "string") throw new Error("no TCP address");
  const port = addr.port;

  const udp = dgram.createSocket({ type: "udp4" });
  udp.on("message", (msg, rinfo) => {
    let frames: CaMessage[];
    try {
      frames = createFramer(8192).push(msg);
    } catch {
      return;
    }
    const replies: Buffer[] = [];
    for (const m of frames) {
      if (m.cmd !== CaCmd.SEARCH || !pvs.has(readCString(m.payload))) continue;
      const ver = Buffer.alloc(8);
      ver.writeUInt16BE(CA_MINOR_VERSION, 0);
      // Address 0xffffffff: "use the address this reply came from".
      replies.push(encode({ cmd: CaCmd.SEARCH, dataType: port, count: 0, p1: 0xffffffff, p2: m.p2, payload: ver }));
    }
    if (replies.length === 0) return;
    const out = Buffer.concat([encode({ cmd: CaCmd.VERSION, dataType: 0, count: CA_MINOR_VERSION, p1: 0, p2: 0 }), ...replies]);
    udp.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(port, host, () => resolve());
  });

  for (const pv of pvs.values()) {
    if (pv.periodMs === undefined) continue;
    const t = setInterval(() => set(pv.name, Number(pv.value) + 1), pv.periodMs);
    timers.push(t);
  }

  return {
    port,
    host,
    set,
    get: (name: string) => pvs.get(name)?.value,
    connections: () => conns.size,
    async close(): Promise<void> {
      for (const t of timers) clearInterval(t);
      for (const c of conns) c.destroy();
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
export type CaServer = Awaited<ReturnType<typeof startCaServer>>;
