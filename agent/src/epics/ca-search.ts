import * as dgram from "node:dgram";
import { CA_MINOR_VERSION, CaCmd, DONT_REPLY, createFramer, encode, serverAddress, stringPayload } from "./ca-codec.js";

export interface CaEndpoint {
  host: string;
  port: number;
}

export interface SearchOptions {
  /** Where searches go: EPICS_CA_ADDR_LIST entries and, with the auto list, broadcast addresses. */
  destinations: readonly CaEndpoint[];
  /** How long replies are collected; every server that answers in this window is listed. */
  timeoutMs: number;
  createSocket?: () => dgram.Socket;
}

/** Names per datagram: well under the 1,472-byte UDP payload of an Ethernet frame. */
const NAMES_PER_DATAGRAM = 16;

/**
 * One round of Channel Access name resolution (docs/epics.md §"Channel Access"): VERSION +
 * SEARCH datagrams to every destination, sent twice (UDP may drop one), and every reply within
 * the window. Returns each name's servers as `host:port`, sorted; names nobody answered are absent.
 */
export async function searchNames(names: readonly string[], opts: SearchOptions): Promise<Map<string, string[]>> {
  const found = new Map<string, Set<string>>();
  if (names.length === 0 || opts.destinations.length === 0) return new Map();
  const sock = opts.createSocket?.() ?? dgram.createSocket({ type: "udp4" });
  const datagrams: Buffer[] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_DATAGRAM) {
    const parts = [encode({ cmd: CaCmd.VERSION, dataType: 0, count: CA_MINOR_VERSION, p1: 0, p2: 0 })];
    names.slice(i, i + NAMES_PER_DATAGRAM).forEach((n, j) => {
      const cid = i + j;
      parts.push(
        encode({ cmd: CaCmd.SEARCH, dataType: DONT_REPLY, count: CA_MINOR_VERSION, p1: cid, p2: cid, payload: stringPayload(n) }),
      );
    });
    datagrams.push(Buffer.concat(parts));
  }
  sock.on("message", (msg, rinfo) => {
    let frames;
    try {
      frames = createFramer(8192).push(msg);
    } catch {
      return;
    }
    for (const m of frames) {
      if (m.cmd !== CaCmd.SEARCH) continue;
      const name = names[m.p2];
      if (name === undefined) continue;
      const a = serverAddress(m, rinfo.address);
      let s = found.get(name);
      if (!s) found.set(name, (s = new Set()));
      s.add(`${a.host}:${a.port}`);
    }
  });
  // A send error (unreachable broadcast address, no route) leaves the other destinations to answer.
  sock.on("error", () => undefined);
  const sendAll = () => {
    for (const d of opts.destinations) for (const g of datagrams) sock.send(g, d.port, d.host, () => undefined);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once("error", reject);
      sock.bind(0, () => {
        sock.off("error", reject);
        resolve();
      });
    });
    sock.setBroadcast(true);
    sendAll();
    await delay(opts.timeoutMs / 3);
    sendAll();
    await delay(opts.timeoutMs - opts.timeoutMs / 3);
  } finally {
    sock.close();
  }
  const out = new Map<string, string[]>();
  for (const [n, s] of found) out.set(n, [...s].sort());
  return out;
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
