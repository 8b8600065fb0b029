import { shallowRef, watch, type ShallowRef } from "vue";

/** An on/off setting of this browser, kept in localStorage under `key` ("1" / "0"). */
export function useStoredFlag(key: string, initial: boolean, storage: Storage = localStorage): ShallowRef<boolean> {
  const saved = storage.getItem(key);
  const flag = shallowRef(saved === null ? initial : saved === "1");
  watch(flag, (v) => storage.setItem(key, v ? "1" : "0"));
  return flag;
}
