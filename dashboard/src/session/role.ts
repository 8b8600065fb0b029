import type { Role } from "@bbb/shared";
import { CodedError } from "../errors.js";

export interface RoleProbe {
  /** users.list: admins only. */
  adminCall(): Promise<unknown>;
  /** nodes.upsert with empty params: operators only; the manager checks the role before the params. */
  operatorCall(): Promise<unknown>;
}

/**
 * The caller's role. The manager has no "who am I" method, so this asks two harmless
 * questions: users.list (admin only) and nodes.upsert with empty params (operator: the
 * manager's invoke path checks the role before parsing the params, so an operator gets
 * MGR_E_INVALID_PARAMS and nothing is written; a viewer gets MGR_E_FORBIDDEN). Anything
 * unexpected means viewer: action buttons are never shown on a guess.
 */
export async function detectRole(probe: RoleProbe): Promise<Role> {
  try {
    await probe.adminCall();
    return "admin";
  } catch {
    // Not an admin (or no answer): ask the operator question.
  }
  try {
    await probe.operatorCall();
    return "operator";
  } catch (e: unknown) {
    return e instanceof CodedError && e.code === "MGR_E_INVALID_PARAMS" ? "operator" : "viewer";
  }
}
