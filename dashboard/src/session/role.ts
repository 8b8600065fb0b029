import { roleAllows, type Role } from "@bbb/shared";

/**
 * The caller's role, as the manager sees it (`server.info` answers with `caller`). Any failure
 * means viewer: action buttons are never shown on a guess.
 */
export async function detectRole(serverInfo: () => Promise<{ caller: { role: Role } }>): Promise<Role> {
  try {
    return (await serverInfo()).caller.role;
  } catch {
    return "viewer";
  }
}

/** Whether the signed-in role (null until known) may do what needs at least `need`. */
export function hasRole(role: Role | null, need: Role): boolean {
  return role !== null && roleAllows(role, need);
}
