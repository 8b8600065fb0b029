import type { ActionName } from "@bbb/shared";
import { inject, type InjectionKey } from "vue";

/** What the operator can pick: the board actions plus "replace with a spare" (nodes.bind). */
export type ActionChoice = Exclude<ActionName, "ping" | "apply-node"> | "replace";

export const ACTION_CHOICES: readonly { id: ActionChoice; label: string; danger?: boolean; single?: boolean }[] = [
  { id: "reboot", label: "Reboot", danger: true },
  { id: "set-ip", label: "Set IP" },
  { id: "set-hostname", label: "Set hostname", single: true },
  { id: "set-nameservers", label: "Set nameservers" },
  { id: "sync-project", label: "Sync project" },
  { id: "restart-service", label: "Restart service" },
  { id: "stop-service", label: "Stop service", danger: true },
  { id: "identify", label: "Identify (blink LEDs)" },
  { id: "replace", label: "Replace with a spare", single: true },
];

export interface ActionOpener {
  open(boards: readonly string[], action?: ActionChoice): void;
}
export const ActionOpenerKey: InjectionKey<ActionOpener> = Symbol("action-opener");

export function useActionOpener(): ActionOpener {
  const o = inject(ActionOpenerKey);
  if (!o) throw new Error("useActionOpener() outside the shell");
  return o;
}
