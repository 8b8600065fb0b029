import { CodedError, ManagerReplyCodes, type TokenInfo } from "@bbb/shared";
import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSession } from "../session/create-session.js";
import { SessionKey } from "../session/use-session.js";
import SessionsPanel from "./SessionsPanel.vue";

const tok = (id: string, username: string): TokenInfo => ({ id, username, role: "operator", issuedAt: 1_000, expiresAt: 2_000, lastUsedAt: null });

/** A real session that is never started; its manager calls answer from a list kept here. */
function setup(initial: TokenInfo[]) {
  const session = createSession({ url: "ws://127.0.0.1:1/mqtt", username: "admin", password: "p" });
  let tokens = initial;
  const calls: string[] = [];
  Object.assign(session.api, {
    tokens: () => Promise.resolve(tokens),
    revokeToken: (id: string) => {
      calls.push(`revoke ${id}`);
      tokens = tokens.filter((t) => t.id !== id);
      return Promise.resolve({ revoked: true });
    },
    signOut: (username: string) => {
      calls.push(`signOut ${username}`);
      if (username === "bob") return Promise.reject(new CodedError(ManagerReplyCodes.FORBIDDEN, "only an admin signs other users out"));
      const n = tokens.filter((t) => t.username === username).length;
      tokens = tokens.filter((t) => t.username !== username);
      return Promise.resolve({ username, tokens: n, connections: 2 });
    },
  });
  const w = mount(SessionsPanel, { props: { usernames: ["admin", "alice", "bob"] }, global: { provide: { [SessionKey as symbol]: session } } });
  return { w, session, calls };
}

afterEach(() => vi.unstubAllGlobals());

describe("SessionsPanel", () => {
  it("lists each user's sessions, a user without any too", async () => {
    const { w } = setup([tok("t1", "alice"), tok("t2", "alice"), tok("t3", "carol")]);
    await flushPromises();
    const ids = (user: string) => w.findAll(`tr[data-user="${user}"] [data-testid="session"]`).map((s) => s.attributes("data-id"));
    expect(ids("alice")).toEqual(["t1", "t2"]);
    expect(ids("carol")).toEqual(["t3"]);
    expect(w.get('tr[data-user="bob"]').text()).toContain("none");
  });

  it("revokes only after the confirmation, then shows the result and the refreshed list", async () => {
    const { w, calls } = setup([tok("t1", "alice"), tok("t2", "alice")]);
    await flushPromises();
    const confirm = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(true);
    vi.stubGlobal("confirm", confirm);
    await w.get('[data-id="t1"] button').trigger("click");
    expect(calls).toEqual([]);
    await w.get('[data-id="t1"] button').trigger("click");
    await flushPromises();
    expect(confirm).toHaveBeenCalledTimes(2);
    expect(calls).toEqual(["revoke t1"]);
    expect(w.get('[data-testid="sessions-result"]').text()).toBe("session t1 of alice revoked");
    expect(w.findAll('[data-testid="session"]').map((s) => s.attributes("data-id"))).toEqual(["t2"]);
  });

  it("signs a user out everywhere and tells what was closed; a refusal shows the manager's code", async () => {
    const { w, session, calls } = setup([tok("t1", "alice")]);
    await flushPromises();
    vi.stubGlobal("confirm", () => true);
    await w.get('tr[data-user="alice"] [data-testid="sign-out"]').trigger("click");
    await flushPromises();
    expect(w.get('[data-testid="sessions-result"]').text()).toBe("alice signed out everywhere: 1 session(s) revoked, 2 connection(s) closed");
    expect(w.findAll('[data-testid="session"]')).toHaveLength(0);
    await w.get('tr[data-user="bob"] [data-testid="sign-out"]').trigger("click");
    await flushPromises();
    expect(calls).toEqual(["signOut alice", "signOut bob"]);
    const last = session.notices.list.value.at(-1);
    expect(last?.kind).toBe("error");
    expect(last?.text).toContain(`(${ManagerReplyCodes.FORBIDDEN})`);
  });
});
