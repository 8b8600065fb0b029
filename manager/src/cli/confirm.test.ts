import { describe, expect, it } from "vitest";
import { confirmBulk, isYes } from "./confirm.js";

const asked: string[] = [];
const answering = (answer: boolean) => ({
  confirm: (q: string) => {
    asked.push(q);
    return Promise.resolve(answer);
  },
});

describe("confirmBulk", () => {
  it("lets --yes and single boards through without asking", async () => {
    asked.length = 0;
    await confirmBulk(answering(false), { what: "reboot", count: 40, byFilter: true, yes: true });
    await confirmBulk(answering(false), { what: "reboot", count: 1, byFilter: false, yes: false });
    await confirmBulk({}, { what: "reboot", count: 5, byFilter: false, yes: false });
    expect(asked).toEqual([]);
  });

  it("asks on a terminal with the number of boards, and stops on no", async () => {
    asked.length = 0;
    await confirmBulk(answering(true), { what: "reboot", count: 12, byFilter: true, yes: false });
    await expect(
      confirmBulk(answering(false), { what: "forget", count: 2, byFilter: false, yes: false }),
    ).rejects.toThrow("forget: not confirmed, nothing was done");
    expect(asked).toEqual(["reboot 12 boards matching the filter? [y/N] ", "forget 2 boards? [y/N] "]);
  });

  it("refuses a filter without --yes when nobody can answer", async () => {
    await expect(confirmBulk({}, { what: "reboot", count: 3, byFilter: true, yes: false })).rejects.toMatchObject({
      exitCode: 2,
      message: "reboot of every board matching the filter (3 boards now): add --yes to confirm",
    });
  });

  it("reads y and yes as consent, anything else as no", () => {
    expect(["y", "Y", "yes", " YES \n"].map(isYes)).toEqual([true, true, true, true]);
    expect(["", "n", "no", "yep", null].map(isYes)).toEqual([false, false, false, false, false]);
  });
});
