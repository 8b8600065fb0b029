import { inject, type InjectionKey } from "vue";
import type { Session } from "./create-session.js";

export const SessionKey: InjectionKey<Session> = Symbol("session");

export function useSession(): Session {
  const s = inject(SessionKey);
  if (!s) throw new Error("useSession() outside a logged-in shell");
  return s;
}
