import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@bbb/shared/node";
import ssh2 from "ssh2";

/** OpenSSH's fingerprint form of a public key blob: "SHA256:" + unpadded base64 of its sha256. */
export function fingerprintOf(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(publicKeyBlob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * The server's persistent host key: read from `path`, or generated (ed25519) on first start
 * and written with mode 0600 (atomically: a half-written key would change the fingerprint
 * agents pin).
 */
export async function loadOrCreateHostKey(path: string): Promise<{ key: Buffer; fingerprint: string }> {
  let key: Buffer;
  try {
    key = await readFile(path);
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const pair = ssh2.utils.generateKeyPairSync("ed25519");
    await writeFileAtomic(path, pair.private, 0o600);
    key = Buffer.from(pair.private);
  }
  const parsed = ssh2.utils.parseKey(key);
  if (parsed instanceof Error) throw new Error(`host key ${path}: ${parsed.message}`);
  return { key, fingerprint: fingerprintOf(parsed.getPublicSSH()) };
}
