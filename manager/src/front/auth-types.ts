import type { Role } from "@bbb/shared";

/** Verifies a user's password: the role on success, null otherwise (the broker's user store). */
export type Authenticate = (username: string, password: string) => Promise<Role | null>;

export interface Principal {
  username: string;
  role: Role;
  /** The API token the caller authenticated with, if any (revoking it closes the connection). */
  tokenId?: string;
}
