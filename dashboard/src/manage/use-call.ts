import { shallowRef } from "vue";
import { errorText } from "../errors.js";
import { useSession } from "../session/use-session.js";

/** Runs a manager call with a busy flag; errors become visible notices: a failed call never passes silently. */
export function useCall() {
  const session = useSession();
  const busy = shallowRef(false);
  async function call<T>(what: string, fn: () => Promise<T>, ok?: string): Promise<T | null> {
    busy.value = true;
    try {
      const r = await fn();
      if (ok) session.notices.push("success", ok);
      return r;
    } catch (e: unknown) {
      session.notices.push("error", `${what}: ${errorText(e)}`);
      return null;
    } finally {
      busy.value = false;
    }
  }
  return { busy, call };
}
