import { Redis } from "ioredis";

/**
 * A board running bbbread, as docs/legacy-protocols.md "bbbread" describes the client: copies its
 * device hash into `BBB:<ip>:<host>` at start, then every period writes `heartbeat=1` and
 * `disk_usage` (the whole hash again if `ip_address` is missing), polls `…:Command` with LPOP
 * and re-keys itself on an IP / hostname / nameserver change. Periods are scaled for tests.
 */
export interface BbbreadPeerOptions {
  url: string;
  ip: string;
  hostname: string;
  periodMs: number;
  pollMs: number;
  sector?: string;
  /** How long a reboot keeps the board silent. */
  rebootMs?: number;
}

export function startBbbreadPeer(o: BbbreadPeerOptions) {
  const r = new Redis(o.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  r.on("error", () => undefined);
  const device: Record<string, string> = {
    name: o.hostname.replaceAll("--", ":"),
    sector: o.sector ?? "IA-01",
    details: "MBTemps connected [1, 2]\tbaudrate=115200",
    state: "2",
    state_string: "Connected",
    ip_type: "manual",
    ip_address: o.ip,
    nameservers: "10.128.255.5, 10.0.0.71",
    type: "4",
  };
  let key = `BBB:${o.ip}:${o.hostname}`;
  const commands: string[] = [];
  let writing = true;
  let beat: NodeJS.Timeout | null = null;
  let poll: NodeJS.Timeout | null = null;
  let disk = 9.44;

  const writeBeat = async () => {
    if (!writing) return;
    disk = Math.round((disk + 0.01) * 100) / 100;
    await r.hset(key, "heartbeat", "1", "disk_usage", `${disk.toFixed(2)}%`);
    if ((await r.hget(key, "ip_address")) === null) await r.hset(key, device);
  };
  const log = (text: string) => r.hset(`${key}:Logs`, String(Math.floor(Date.now() / 1000)), text);

  async function rekey(change: Record<string, string>): Promise<void> {
    Object.assign(device, change);
    const next = `BBB:${device.ip_address}:${(device.name ?? "").replaceAll(":", "--")}`;
    if (next !== key) {
      for (const suffix of [":Command", ":Logs"])
        if (await r.exists(key + suffix)) await r.rename(key + suffix, next + suffix);
      await r.hset(key, "state_string", next);
      key = next;
    }
    await r.hset(key, { ...device, heartbeat: "1", disk_usage: `${disk.toFixed(2)}%` });
  }

  async function run(line: string): Promise<void> {
    commands.push(line);
    const [code = "", ...args] = line.split(";");
    switch (code) {
      case "1":
        writing = false;
        setTimeout(
          () => {
            writing = true;
            void r.hset(key, { ...device, heartbeat: "1" });
          },
          o.rebootMs ?? 3 * o.periodMs,
        ).unref();
        return;
      case "17":
        return rekey(
          args[0] === "dhcp"
            ? { ip_type: "dhcp", ip_address: "10.128.1.200" }
            : { ip_type: "manual", ip_address: args[1] ?? "" },
        );
      case "18":
        return rekey({ name: (args[0] ?? "").replaceAll("--", ":") });
      case "19":
        return rekey({ nameservers: args.join(", ") });
      case "20":
        await log(`Service ${args[0] ?? ""} restarted`);
        return;
      case "21":
        await log(`Service ${args[0] ?? ""} stopped`);
        return;
    }
  }

  return {
    commands,
    get key() {
      return key;
    },
    redis: r,
    log,
    async start(): Promise<void> {
      await r.hset(key, { ...device, heartbeat: "1", disk_usage: `${disk.toFixed(2)}%` });
      beat = setInterval(() => void writeBeat().catch(() => undefined), o.periodMs);
      poll = setInterval(() => {
        if (!writing) return;
        void r
          .lpop(`${key}:Command`)
          .then((line) => (line ? run(line) : undefined))
          .catch(() => undefined);
      }, o.pollMs);
    },
    /** The board stops writing and polling (powered off), its keys stay. */
    silence(): void {
      writing = false;
    },
    resume(): void {
      writing = true;
    },
    stop(): void {
      if (beat) clearInterval(beat);
      if (poll) clearInterval(poll);
      r.disconnect();
    },
  };
}
export type BbbreadPeer = ReturnType<typeof startBbbreadPeer>;
