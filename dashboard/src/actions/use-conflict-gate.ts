import { computed, ref, shallowRef } from "vue";

/** What a save would claim: an IP and / or hostname, for a board (`boardId`) or a node (`ignoreNode`). */
export interface ConflictClaim {
  ip?: string;
  hostname?: string;
  boardId?: string;
  ignoreNode?: string;
}

/**
 * A save that asks hosts.conflicts first (docs/protocol.md §"Registry states"): the first
 * attempt only checks; nobody holding the values lets the save go on by itself; someone holding
 * them needs a reason, and the next attempt sends it with that reason.
 */
export function useConflictGate() {
  const claim = shallowRef<ConflictClaim | null>(null);
  const count = ref<number | null>(null);
  const reason = ref("");
  let pending: ((reason: string | undefined) => void) | null = null;
  const blocked = computed(() => claim.value !== null && (count.value === null || (count.value > 0 && reason.value.trim() === "")));
  const key = computed(() => JSON.stringify(claim.value));

  return {
    claim,
    reason,
    blocked,
    key,
    /** True when someone holds the values (the form then offers "save anyway"). */
    taken: computed(() => (count.value ?? 0) > 0),
    /**
     * Runs `save` once the values are known to be free, or forced with a reason. A claim with
     * nothing to check (no IP, no hostname) saves at once.
     */
    guard(next: ConflictClaim, save: (reason: string | undefined) => void): void {
      if (next.ip === undefined && next.hostname === undefined) return save(undefined);
      if (JSON.stringify(next) !== key.value) {
        claim.value = next;
        count.value = null;
        reason.value = "";
        pending = save;
        return;
      }
      if (!blocked.value) save(count.value ? reason.value.trim() : undefined);
    },
    /** From ConflictWarning: how many hold the values; none lets the waiting save go on. */
    checked(n: number): void {
      count.value = n;
      const go = pending;
      pending = null;
      if (n === 0 && go) go(undefined);
    },
    reset(): void {
      claim.value = null;
      count.value = null;
      reason.value = "";
      pending = null;
    },
  };
}
