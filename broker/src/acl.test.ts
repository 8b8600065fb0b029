import { describe, expect, it } from "vitest";
import { createAcl } from "./acl.js";

const acl = createAcl("bbb");
const agent = acl.identity("agent", "b1", "b1");
const viewer = acl.identity("viewer", "vera", "dash-1");
const operator = acl.identity("operator", "otto", "dash-2");
const admin = acl.identity("admin", "ada", "dash-3");
const manager = acl.identity("manager", "manager", "mgr");
const pub = (id: typeof agent, topic: string, retain = false) => {
  const v = acl.publish(id, topic, retain);
  return v.ok ? (v.stamp ? "stamp" : "allow") : v.reason;
};

describe("publish", () => {
  it("lets an agent publish only its own status, heartbeat, inventory, results and log", () => {
    expect(pub(agent, "bbb/b1/status", true)).toBe("allow");
    expect(pub(agent, "bbb/b1/heartbeat", true)).toBe("allow");
    expect(pub(agent, "bbb/b1/result/req-1")).toBe("allow");
    expect(pub(agent, "bbb/b1/result/req-1", true)).toBe("retain-not-allowed");
    expect(pub(agent, "bbb/b1/log")).toBe("allow");
    expect(pub(agent, "bbb/b1/log", true)).toBe("retain-not-allowed");
    expect(pub(agent, "bbb/b1/iocs", true)).toBe("allow");
    expect(pub(agent, "bbb/b2/iocs", true)).toBe("not-own-topic");
    expect(pub(agent, "bbb/b1/result/a/b")).toBe("not-own-topic");
    expect(pub(agent, "bbb/b1/result/")).toBe("not-own-topic");
    expect(pub(agent, "bbb/b1/inventory", true)).toBe("allow");
    expect(pub(agent, "bbb/b2/inventory", true)).toBe("not-own-topic");
    expect(pub(agent, "bbb/b2/heartbeat")).toBe("not-own-topic");
    expect(pub(agent, "bbb/b1/cmd/reboot")).toBe("not-own-topic");
    expect(pub(agent, "bbb/manager/request/x")).toBe("not-own-topic");
    expect(pub(agent, "bbb/registry/hosts/b1")).toBe("not-own-topic");
    expect(pub(agent, "other/b1/status")).toBe("outside-root");
    expect(pub(agent, "$SYS/x")).toBe("reserved-topic");
  });

  it("lets users publish requests (stamped) and operators/admins commands, never retained", () => {
    for (const u of [viewer, operator, admin]) {
      expect(pub(u, "bbb/manager/request/boards.list")).toBe("stamp");
      expect(pub(u, "bbb/manager/request/boards.list", true)).toBe("retain-not-allowed");
      expect(pub(u, "bbb/manager/request/")).toBe("not-allowed");
      expect(pub(u, "bbb/manager/request/a/b")).toBe("not-allowed");
      expect(pub(u, "bbb/manager/response/dash-1")).not.toMatch(/^(allow|stamp)$/);
      expect(pub(u, "bbb/manager/status")).not.toMatch(/^(allow|stamp)$/);
      expect(pub(u, "bbb/registry/summary")).not.toMatch(/^(allow|stamp)$/);
      expect(pub(u, "bbb/b1/heartbeat")).not.toMatch(/^(allow|stamp)$/);
      expect(pub(u, "bbb/b1/cmd/reboot", true)).toBe("retained-command");
    }
    expect(pub(viewer, "bbb/b1/cmd/reboot")).toBe("viewer-read-only");
    expect(pub(operator, "bbb/b1/cmd/reboot")).toBe("allow");
    expect(pub(admin, "bbb/a0f6fd8b1c22/cmd/set-ip")).toBe("allow");
    expect(pub(operator, "bbb/b1/cmd/reboot/x")).toBe("not-allowed");
    expect(pub(operator, "bbb/B1/cmd/reboot")).toBe("not-allowed");
    expect(pub(operator, "bbb/registry/cmd/x")).toBe("not-allowed");
  });

  it("lets the manager publish under the root except retained commands and $SYS", () => {
    expect(pub(manager, "bbb/registry/hosts/b1", true)).toBe("allow");
    expect(pub(manager, "bbb/manager/status", true)).toBe("allow");
    expect(pub(manager, "bbb/manager/response/dash-1")).toBe("allow");
    expect(pub(manager, "bbb/b1/cmd/reboot")).toBe("allow");
    expect(pub(manager, "bbb/b1/cmd/reboot", true)).toBe("retained-command");
    expect(pub(manager, "$SYS/x")).toBe("reserved-topic");
    expect(pub(manager, "elsewhere")).toBe("outside-root");
  });
});

describe("subscribe", () => {
  it("limits an agent to its own command topics", () => {
    for (const f of ["bbb/b1/cmd/#", "bbb/b1/cmd/+", "bbb/b1/cmd/reboot"]) expect(acl.subscribe(agent, f)).toBe(true);
    for (const f of ["bbb/b2/cmd/#", "bbb/+/cmd/#", "#", "bbb/#", "bbb/b1/cmd/", "bbb/b1/cmd/+/x", "bbb/b1/cmd/re+", "bbb/b1/status"]) {
      expect(acl.subscribe(agent, f)).toBe(false);
    }
  });

  it("lets an agent read one type's retained declaration, nothing else of the registry", () => {
    expect(acl.subscribe(agent, "bbb/registry/types/mbtemp")).toBe(true);
    for (const f of ["bbb/registry/types/+", "bbb/registry/types/#", "bbb/registry/types/", "bbb/registry/types/a/b", "bbb/registry/hosts/b1", "bbb/registry/#"]) {
      expect(acl.subscribe(agent, f)).toBe(false);
    }
  });

  it("lets users and the manager read under the root and only admins $SYS", () => {
    for (const u of [viewer, operator, admin, manager]) {
      expect(acl.subscribe(u, "bbb/#")).toBe(true);
      expect(acl.subscribe(u, "bbb/+/heartbeat")).toBe(true);
      expect(acl.subscribe(u, "#")).toBe(false);
      expect(acl.subscribe(u, "+/b1/status")).toBe(false);
    }
    expect(acl.subscribe(admin, "$SYS/#")).toBe(true);
    for (const u of [viewer, operator, manager]) expect(acl.subscribe(u, "$SYS/#")).toBe(false);
  });
});

describe("the shared user store", () => {
  it("may be published by the manager only, and is delivered to no client", () => {
    expect(pub(manager, "bbb/manager/users", true)).toBe("allow");
    expect(pub(viewer, "bbb/manager/users", true)).toBe("viewer-read-only");
    for (const u of [operator, admin]) expect(pub(u, "bbb/manager/users", true)).toBe("not-allowed");
    expect(pub(agent, "bbb/manager/users", true)).toBe("not-own-topic");
    for (const u of [viewer, operator, admin, agent, manager]) expect(acl.forward(u, "bbb/manager/users")).toBe(false);
  });
});

describe("forward and will", () => {
  it("forwards a response only to its client", () => {
    const as = (clientId: string) => acl.identity("viewer", "vera", clientId);
    expect(acl.forward(as("dash-1"), "bbb/manager/response/dash-1")).toBe(true);
    expect(acl.forward(as("dash-2"), "bbb/manager/response/dash-1")).toBe(false);
    expect(acl.forward(as("dash-1"), "bbb/manager/response/dash-10")).toBe(false);
    expect(acl.forward(as("ash-1"), "bbb/manager/response/dash-1")).toBe(false);
    expect(acl.forward(as("anyone"), "bbb/b1/heartbeat")).toBe(true);
  });

  it("forwards a reply only to the user it names, whatever the client id", () => {
    expect(acl.forward(viewer, "bbb/manager/response/vera/r1")).toBe(true);
    expect(acl.forward(acl.identity("viewer", "vera", "mosquitto-sub-1"), "bbb/manager/response/vera/r1")).toBe(true);
    expect(acl.forward(operator, "bbb/manager/response/vera/r1")).toBe(false);
    expect(acl.forward(admin, "bbb/manager/response/vera/r1")).toBe(false);
    expect(acl.forward(acl.identity("viewer", "ver", "c"), "bbb/manager/response/vera/r1")).toBe(false);
    expect(acl.forward(acl.identity("agent", "vera", "vera"), "bbb/manager/response/vera/r1")).toBe(false);
  });

  it("forwards requests (tokens, passwords) to the manager only", () => {
    expect(acl.forward(manager, "bbb/manager/request/hosts.list")).toBe(true);
    for (const u of [viewer, operator, admin, agent]) expect(acl.forward(u, "bbb/manager/request/auth.login")).toBe(false);
  });

  it("accepts an agent's will only on its own status topic", () => {
    expect(acl.will(agent, "bbb/b1/status", true)).toBe(true);
    expect(acl.will(agent, "bbb/b1/heartbeat", true)).toBe(false);
    expect(acl.will(manager, "bbb/manager/status", true)).toBe(true);
    expect(acl.will(viewer, "bbb/manager/request/x", false)).toBe(false);
    expect(acl.will(operator, "bbb/b1/cmd/reboot", true)).toBe(false);
  });
});
