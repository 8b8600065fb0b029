import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileAtomic } from "@bbb/shared/node";
import ssh2 from "ssh2";

/** OpenSSH's fingerprint form of a public key blob: "SHA256:" + unpadded base64 of its sha256. */
export function fingerprintOf(publicKeyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(publicKeyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** A new private key in OpenSSH's format. */
export type KeyGenerator = () => string;

const ssh2Ed25519: KeyGenerator = () => ssh2.utils.generateKeyPairSync("ed25519").private;

/** Tries before a first start gives up: one bad key in ~270 makes ten in a row impossible in practice. */
const GENERATE_TRIES = 10;

/**
 * A key its own parser accepts. ssh2 1.17 writes about one ed25519 key in 270 with a public key
 * of 31 bytes (a leading zero byte dropped), which ssh2 then refuses to read: written as it
 * came, it left a server that could never start on its data dir.
 */
function generateUsable(generate: KeyGenerator): string {
  for (let i = 0; i < GENERATE_TRIES; i++) {
    const key = generate();
    if (!(ssh2.utils.parseKey(key) instanceof Error)) return key;
  }
  throw new Error(`no usable host key in ${GENERATE_TRIES} tries`);
}

/**
 * The server's persistent host key: read from `path`, or generated (ed25519) on first start
 * and written with mode 0600 (atomically: a half-written key would change the fingerprint
 * agents pin). Only a key that parses is written.
 */
export async function loadOrCreateHostKey(path: string, generate: KeyGenerator = ssh2Ed25519): Promise<{ key: Buffer; fingerprint: string }> {
  let key: Buffer;
  try {
    key = await readFile(path);
  } catch (e: unknown) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const fresh = generateUsable(generate);
    await writeFileAtomic(path, fresh, 0o600);
    key = Buffer.from(fresh);
  }
  const parsed = ssh2.utils.parseKey(key);
  if (parsed instanceof Error) throw new Error(`host key ${path}: ${parsed.message} (remove the file to have a new key generated; boards that pinned the old one must be told the new fingerprint)`);
  return { key, fingerprint: fingerprintOf(parsed.getPublicSSH()) };
}
