import { pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { mosquittoAclFile, mosquittoHash, mosquittoPasswordFile } from "./mosquitto-files.js";

const input = {
  root: "bbb",
  users: [
    { username: "vera", role: "viewer" as const, hash: "$7$1$a$b" },
    { username: "otto", role: "operator" as const, hash: "$7$1$c$d" },
    { username: "ada", role: "admin" as const, hash: "$7$1$e$f" },
  ],
  boards: [{ id: "a0f6fd8b1c22", hash: "$7$101$g$h" }],
  manager: { username: "manager", hash: "$7$101$i$j" },
};

/** The user block of one login in an ACL file. */
const block = (acl: string, user: string) => acl.split("\n\n").find((b) => b.startsWith(`user ${user}\n`))?.trim().split("\n").slice(1) ?? [];

describe("mosquitto files", () => {
  it("hashes as mosquitto_passwd does: $7$, PBKDF2-HMAC-SHA512 over a 12-byte salt", async () => {
    const h = await mosquittoHash("secret-pw", 101);
    const [, seven, iterations, salt, key] = h.split("$");
    expect([seven, iterations]).toEqual(["7", "101"]);
    const s = Buffer.from(salt ?? "", "base64");
    expect(s).toHaveLength(12);
    expect(pbkdf2Sync("secret-pw", s, 101, 64, "sha512").toString("base64")).toBe(key);
  });

  it("lists the manager, every user and every board in the password file", () => {
    expect(mosquittoPasswordFile(input).trim().split("\n")).toEqual([
      "manager:$7$101$i$j",
      "vera:$7$1$a$b",
      "otto:$7$1$c$d",
      "ada:$7$1$e$f",
      "a0f6fd8b1c22:$7$101$g$h",
    ]);
  });

  it("gives each role what docs/protocol.md grants it, and no pattern lines", () => {
    const acl = mosquittoAclFile(input);
    expect(acl).not.toMatch(/^pattern/m);
    expect(block(acl, "manager")).toEqual(["topic readwrite bbb/#"]);
    const vera = block(acl, "vera");
    expect(vera).toContain("topic read bbb/manager/response/vera/#");
    expect(vera).toContain("topic write bbb/manager/request/+");
    expect(vera.filter((l) => l.startsWith("topic write"))).toEqual(["topic write bbb/manager/request/+"]);
    expect(vera.some((l) => l.includes("manager/request") && l.startsWith("topic read"))).toBe(false);
    expect(block(acl, "otto")).toContain("topic write bbb/+/cmd/+");
    expect(block(acl, "otto")).not.toContain("topic read $SYS/#");
    expect(block(acl, "ada")).toContain("topic read $SYS/#");
    expect(block(acl, "a0f6fd8b1c22")).toEqual([
      "topic write bbb/a0f6fd8b1c22/status",
      "topic write bbb/a0f6fd8b1c22/heartbeat",
      "topic write bbb/a0f6fd8b1c22/result/+",
      "topic write bbb/a0f6fd8b1c22/log",
      "topic write bbb/a0f6fd8b1c22/iocs",
      "topic write bbb/a0f6fd8b1c22/inventory",
      "topic read bbb/a0f6fd8b1c22/cmd/#",
      "topic read bbb/registry/types/+",
    ]);
  });
});
