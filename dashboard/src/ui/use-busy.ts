import { shallowRef } from "vue";
import { errorText } from "../errors.js";

/** A busy flag and the last error of an action shown inline (in a form or panel, not as a notice). */
export function useBusy() {
  const busy = shallowRef(false);
  const error = shallowRef<string | null>(null);
  async function run(fn: () => Promise<void>): Promise<void> {
    busy.value = true;
    error.value = null;
    try {
      await fn();
    } catch (e: unknown) {
      error.value = errorText(e);
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, run };
}
