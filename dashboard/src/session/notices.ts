import { shallowRef } from "vue";

export interface Notice {
  id: number;
  kind: "error" | "info" | "success";
  text: string;
}

/**
 * Visible messages (request errors, confirmations). Every one goes away by itself (an error
 * after long enough to read it and act) or with its ✕; the shell keeps them off open dialogs.
 */
export const NOTICE_MS = { info: 6000, success: 6000, error: 20_000 } as const;
export function createNotices(setTimer: (fn: () => void, ms: number) => unknown = (fn, ms) => setTimeout(fn, ms)) {
  const list = shallowRef<readonly Notice[]>([]);
  let next = 1;
  const dismiss = (id: number) => {
    list.value = list.value.filter((n) => n.id !== id);
  };
  return {
    list,
    push(kind: Notice["kind"], text: string) {
      const id = next++;
      list.value = [...list.value, { id, kind, text }].slice(-6);
      setTimer(() => dismiss(id), NOTICE_MS[kind]);
      return id;
    },
    dismiss,
  };
}
export type Notices = ReturnType<typeof createNotices>;
