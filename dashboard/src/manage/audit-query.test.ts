import { describe, expect, it } from "vitest";
import { auditParams, currentStart, emptyAuditFilter, firstPage, newerPage, olderPage, pageNumber, parseLocalTime, prettyParams } from "./audit-query.js";

describe("audit.list parameters from the filter form", () => {
  it("sends only the filters that are set, trimmed", () => {
    expect(auditParams(emptyAuditFilter(), 50)).toEqual({ limit: 50 });
    expect(auditParams({ username: " alice ", method: "tokens.revoke", since: "" }, 50, 99)).toEqual({ limit: 50, username: "alice", method: "tokens.revoke", beforeId: 99 });
  });

  it("reads the time as local time and ignores what is not a date", () => {
    expect(auditParams({ username: "", method: "", since: "2026-03-01T10:30" }, 10)).toEqual({ limit: 10, since: new Date(2026, 2, 1, 10, 30).getTime() });
    expect(parseLocalTime("not a date")).toBeNull();
    expect(parseLocalTime(" ")).toBeNull();
  });
});

describe("paging by id", () => {
  const rows = (...ids: number[]) => ids.map((id) => ({ id }));

  it("goes to older pages below the last row and back again", () => {
    const p1 = firstPage();
    expect(currentStart(p1)).toBeUndefined();
    const p2 = olderPage(p1, rows(10, 9, 8), 3);
    expect(p2 && currentStart(p2)).toBe(8);
    const p3 = p2 && olderPage(p2, rows(7, 6, 5), 3);
    expect(p3 && [currentStart(p3), pageNumber(p3)]).toEqual([5, 3]);
    const back = p3 && newerPage(p3);
    expect(back && currentStart(back)).toBe(8);
    expect(newerPage(p1)).toBeNull();
  });

  it("has no older page after a short or empty page", () => {
    expect(olderPage(firstPage(), rows(4, 3), 3)).toBeNull();
    expect(olderPage(firstPage(), [], 3)).toBeNull();
  });
});

describe("redacted parameters", () => {
  it("pretty-prints JSON and shows cut text as stored", () => {
    expect(prettyParams('{"id":"t1","password":"***"}')).toBe('{\n  "id": "t1",\n  "password": "***"\n}');
    expect(prettyParams('{"csv":"abc…')).toBe('{"csv":"abc…');
    expect(prettyParams(null)).toBe("");
  });
});
