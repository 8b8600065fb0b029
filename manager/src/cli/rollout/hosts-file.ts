import { boardIdSchema } from "@bbb/shared";

export interface RolloutHost {
  /** What `ssh` is given: `[user@]host`, or a Host alias of the operator's ssh config. */
  target: string;
  boardId: string;
  line: number;
}

/**
 * The hosts file of `bbbctl rollout` (docs/deployment.md "Rolling out"): one board per line,
 * `<ssh target> <board id>`; blank lines and `#` comments ignored. Every bad line is reported.
 */
export function parseHostsFile(text: string): { hosts: RolloutHost[]; errors: string[] } {
  const hosts: RolloutHost[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") return;
    const [target, boardId, extra] = line.split(/\s+/);
    if (!target || !boardId || extra !== undefined) {
      errors.push(`line ${i + 1}: expected "<ssh target> <board id>"`);
    } else if (target.startsWith("-") || !/^[A-Za-z0-9_.@:[\]-]+$/.test(target)) {
      errors.push(`line ${i + 1}: not an ssh target: ${target}`);
    } else if (!boardIdSchema.safeParse(boardId).success) {
      errors.push(`line ${i + 1}: not a board id: ${boardId}`);
    } else if (seen.has(boardId)) {
      errors.push(`line ${i + 1}: board ${boardId} listed twice`);
    } else {
      seen.add(boardId);
      hosts.push({ target, boardId, line: i + 1 });
    }
  });
  return { hosts, errors };
}
