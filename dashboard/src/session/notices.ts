import { shallowRef } from "vue";

export interface Notice {
  id: number;
  kind: "error" | "info" | "success";
  text: string;
}

/** Visible messages (request errors, confirmations); errors stay until dismissed. */
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
      if (kind !== "error") setTimer(() => dismiss(id), 6000);
      return id;
    },
    dismiss,
  };
}
export type Notices = ReturnType<typeof createNotices>;
