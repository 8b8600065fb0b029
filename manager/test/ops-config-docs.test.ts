import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateConfigDocs } from "../src/config/config-docs.js";
import { ENV_KEYS, SECRET_FILE_ENV, SERVER_ROLES } from "../src/config/schema.js";

const file = join(import.meta.dirname, "..", "..", "docs", "configuration.md");

describe("docs/configuration.md", () => {
  it("matches the config schema (run `node scripts/gen-config-docs.mjs` after changing it)", () => {
    expect(readFileSync(file, "utf8"), "docs/configuration.md is stale").toBe(generateConfigDocs());
  });

  it("lists every env variable and describes every key", () => {
    const text = generateConfigDocs();
    for (const env of Object.keys(ENV_KEYS)) expect(text).toContain(`\`${env}\``);
    for (const line of text.split("\n").filter((l) => l.startsWith("| `"))) {
      expect(line, "a key without a description").not.toMatch(/\|\s*\|$/);
    }
  });

  it("agrees with the image's entrypoint on the roles and the *_FILE secrets", () => {
    const entrypoint = readFileSync(join(import.meta.dirname, "..", "..", "docker", "entrypoint.mjs"), "utf8");
    const roles = /const ROLES = \{([^}]*)\}/.exec(entrypoint)?.[1] ?? "";
    const names = [...roles.matchAll(/^\s*"?([a-z-]+)"?:/gm)].map((m) => m[1]);
    expect(names.sort()).toEqual([...SERVER_ROLES].sort());
    const secrets = /const SECRET_VARS = \[([^\]]*)\]/.exec(entrypoint)?.[1] ?? "";
    for (const v of [...secrets.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1])) expect(SECRET_FILE_ENV).toContain(v);
  });
});
