import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadOrCreateHostKey } from "./host-key.js";

/** An ed25519 key as ssh2 1.17's generator sometimes writes it: a 31-byte public key its parser refuses. */
const TRUNCATED = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMgAAAAtz
c2gtZWQyNTUxOQAAAB9QLTQLSKbCO8ZNtLIwS4diW95aLeJFtDEBIjX/9WbWAAAA
iK/RyH2v0ch9AAAAC3NzaC1lZDI1NTE5AAAAH1AtNAtIpsI7xk20sjBLh2Jb3lot
4kW0MQEiNf/1ZtYAAAA/fBxws99fki3jqgqUh20qHCy5b/2hZ6oNiZYMMrqrZ3lQ
LTQLSKbCO8ZNtLIwS4diW95aLeJFtDEBIjX/9WbWAAAAAAECAwQFBgc=
-----END OPENSSH PRIVATE KEY-----
`;

describe("SFTP host key", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "bbb-hostkey-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("the generator's unreadable keys are never written: the first one that parses is kept", async () => {
    expect(ssh2.utils.parseKey(TRUNCATED)).toBeInstanceOf(Error);
    const good = ssh2.utils.generateKeyPairSync("ed25519").private;
    const made = [TRUNCATED, TRUNCATED, good];
    const path = join(dir, "keys", "sftp_host_ed25519_key");
    const k = await loadOrCreateHostKey(path, () => made.shift()!);
    expect(made).toEqual([]);
    expect(await readFile(path, "utf8")).toBe(good);
    expect(k.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    // Read back on the next start: the same key, the same fingerprint.
    expect((await loadOrCreateHostKey(path, () => TRUNCATED)).fingerprint).toBe(k.fingerprint);
  });

  it("gives up after ten unusable keys and writes nothing; a stored key that does not parse is named with what to do", async () => {
    const path = join(dir, "sftp_host_ed25519_key");
    await expect(loadOrCreateHostKey(path, () => TRUNCATED)).rejects.toThrow(/no usable host key in 10 tries/);
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path, TRUNCATED);
    await expect(loadOrCreateHostKey(path)).rejects.toThrow(/host key .*sftp_host_ed25519_key: .*remove the file/);
  });

  it("real keys: 400 first starts in a row all succeed", async () => {
    for (let i = 0; i < 400; i++) await loadOrCreateHostKey(join(dir, `k${i}`));
  });
});
