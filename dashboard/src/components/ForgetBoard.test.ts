import { CodedError, ManagerReplyCodes, type BoardState } from "@bbb/shared";
import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSession } from "../session/create-session.js";
import { SessionKey } from "../session/use-session.js";
import ForgetBoard from "./ForgetBoard.vue";

/** A real session that is never started; hosts.remove answers from here and records its calls. */
function setup(state: BoardState, refuse = false) {
  const session = createSession({ url: "ws://127.0.0.1:1/mqtt", username: "op", password: "p" });
  const calls: string[] = [];
  Object.assign(session.api, {
    removeHost: (id: string) => {
      calls.push(id);
      return refuse
        ? Promise.reject(
            new CodedError(ManagerReplyCodes.CONFLICT, `board ${id} is alive; only a dead board can be removed`),
          )
        : Promise.resolve({ removed: true });
    },
  });
  const w = mount(ForgetBoard, {
    props: { id: "a0f6fd8b1c22", state },
    global: { provide: { [SessionKey as symbol]: session } },
  });
  return { w, session, calls };
}

afterEach(() => vi.unstubAllGlobals());

describe("ForgetBoard", () => {
  it("is disabled while the board is alive, and says why", () => {
    const { w } = setup("online");
    expect(w.get('[data-testid="forget-button"]').attributes("disabled")).toBeDefined();
    expect(w.get('[data-testid="forget-hint"]').text()).toBe("Only a lost or offline board can be forgotten.");
  });

  it("forgets a lost board only after the confirmation, then reports it", async () => {
    const { w, calls } = setup("lost");
    const confirm = vi.fn().mockReturnValueOnce(false).mockReturnValueOnce(true);
    vi.stubGlobal("confirm", confirm);
    await w.get('[data-testid="forget-button"]').trigger("click");
    expect(calls).toEqual([]);
    await w.get('[data-testid="forget-button"]').trigger("click");
    await flushPromises();
    expect(String(confirm.mock.calls[0]?.[0])).toContain("its history is kept");
    expect(calls).toEqual(["a0f6fd8b1c22"]);
    expect(w.get('[data-testid="forget-result"]').text()).toBe("board a0f6fd8b1c22 forgotten");
    expect(w.emitted("forgotten")).toEqual([["a0f6fd8b1c22"]]);
  });

  it("shows the manager's refusal (the board came back meanwhile) and stays", async () => {
    const { w, session } = setup("offline", true);
    vi.stubGlobal("confirm", () => true);
    await w.get('[data-testid="forget-button"]').trigger("click");
    await flushPromises();
    expect(w.emitted("forgotten")).toBeUndefined();
    expect(session.notices.list.value.map((n) => n.text).join(" ")).toContain("MGR_E_CONFLICT");
  });
});
