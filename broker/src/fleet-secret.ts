import { CodedError } from "@bbb/shared";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createFileExclusive } from "@bbb/shared/node";
import { BrokerErrorCodes } from "./errors.js";

export const FLEET_SECRET_FILE = "fleet-secret";
/** A shorter secret would make the per-board tokens guessable. */
const MIN_SECRET_LENGTH = 16;

function check(secret: string, origin: string): string {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new CodedError(BrokerErrorCodes.INVALID_FLEET_SECRET, `fleet secret from ${origin} is shorter than ${MIN_SECRET_LENGTH} characters`);
  }
  return secret;
}

/**
 * docs/configuration.md `fleetSecret`: BBB_FLEET_SECRET wins; otherwise the secret generated into
 * the data dir on first start (mode 0600, written atomically and never overwritten, so two
 * processes starting together agree on one secret).
 */
export async function loadOrCreateFleetSecret(dataDir: string, envSecret?: string): Promise<string> {
  if (envSecret !== undefined && envSecret !== "") return check(envSecret, "BBB_FLEET_SECRET");
  const file = join(dataDir, FLEET_SECRET_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      return check((await readFile(file, "utf8")).trim(), file);
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    const fresh = randomBytes(32).toString("hex");
    if (await createFileExclusive(file, `${fresh}\n`, 0o600)) return fresh;
  }
  return check((await readFile(file, "utf8")).trim(), file);
}
