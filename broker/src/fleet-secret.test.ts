import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { BrokerErrorCodes } from "./errors.js";
import { FLEET_SECRET_FILE, loadOrCreateFleetSecret } from "./fleet-secret.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bbb-secret-"));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

it("generates the secret once into the data dir (0600) and reads it back", async () => {
  const data = join(dir, "data");
  const [a, b] = await Promise.all([loadOrCreateFleetSecret(data), loadOrCreateFleetSecret(data)]);
  expect(a).toMatch(/^[0-9a-f]{64}$/);
  expect(b).toBe(a);
  expect(await loadOrCreateFleetSecret(data)).toBe(a);
  expect((await readFile(join(data, FLEET_SECRET_FILE), "utf8")).trim()).toBe(a);
  expect((await stat(join(data, FLEET_SECRET_FILE))).mode & 0o777).toBe(0o600);
});

it("prefers BBB_FLEET_SECRET and refuses a short one", async () => {
  expect(await loadOrCreateFleetSecret(dir, "an-environment-secret")).toBe("an-environment-secret");
  await expect(loadOrCreateFleetSecret(dir, "short")).rejects.toMatchObject({ code: BrokerErrorCodes.INVALID_FLEET_SECRET });
});
