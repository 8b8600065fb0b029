import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import { h } from "vue";
import type { TableColumn } from "../table/column-sort.js";
import SortableTable from "./SortableTable.vue";

interface Row {
  id: string;
  name: string;
  n: number | null;
}
const rows: Row[] = [
  { id: "a", name: "h-10", n: 2 },
  { id: "b", name: "h-2", n: 1 },
  { id: "c", name: "h-3", n: 2 },
  { id: "d", name: "h-1", n: null },
  { id: "e", name: "H-4", n: 1 },
];
const columns: TableColumn<Row>[] = [
  { key: "name", label: "Name", value: (r) => r.name },
  { key: "n", label: "Count", value: (r) => r.n, class: "num" },
];

function setup() {
  return mount(SortableTable<Row>, {
    props: { rows, columns, rowKey: (r: Row) => r.id },
    slots: { name: ({ row }: { row: Row }) => h("a", { href: `#/board/${row.id}` }, row.name) },
  });
}
type Wrapper = ReturnType<typeof setup>;
const ids = (w: Wrapper) => w.findAll("tbody tr").map((tr) => tr.get("a").attributes("href")?.slice(8));
const header = (w: Wrapper, key: string) => w.get(`[role="columnheader"]:has([data-sort="${key}"])`);
const click = (w: Wrapper, key: string) => w.get(`[role="columnheader"] [data-sort="${key}"]`).trigger("click");

describe("SortableTable", () => {
  it("keeps the rows' own order until a header is clicked; every header is a button, none sorted", () => {
    const w = setup();
    expect(ids(w)).toEqual(["a", "b", "c", "d", "e"]);
    expect(w.findAll('[role="columnheader"]').map((th) => th.attributes("aria-sort"))).toEqual(["none", "none"]);
    expect(w.findAll('[role="columnheader"] button.sort').map((b) => [b.attributes("type"), b.text()])).toEqual([
      ["button", "Name"],
      ["button", "Count"],
    ]);
  });

  it("sorts by a clicked header, numbers in names as people read them; a second click reverses", async () => {
    const w = setup();
    await click(w, "name");
    expect(ids(w)).toEqual(["d", "b", "c", "e", "a"]);
    expect(header(w, "name").attributes("aria-sort")).toBe("ascending");
    expect(header(w, "name").text()).toBe("Name ▲");
    expect(header(w, "n").attributes("aria-sort")).toBe("none");
    await click(w, "name");
    expect(ids(w)).toEqual(["a", "e", "c", "b", "d"]);
    expect(header(w, "name").attributes("aria-sort")).toBe("descending");
    expect(header(w, "name").text()).toBe("Name ▼");
  });

  it("keeps equal values in the rows' order both ways, and unknown values last", async () => {
    const w = setup();
    await click(w, "n");
    expect(ids(w)).toEqual(["b", "e", "a", "c", "d"]);
    await click(w, "n");
    expect(ids(w)).toEqual(["a", "c", "b", "e", "d"]);
    // Another column starts ascending again and moves the arrow there.
    await click(w, "name");
    expect(header(w, "name").attributes("aria-sort")).toBe("ascending");
    expect(header(w, "n").attributes("aria-sort")).toBe("none");
  });

  it("shows a column's value, a dash for an unknown one, with the column's class", () => {
    const w = setup();
    const cells = w.findAll("tbody tr")[3]!.findAll("td");
    expect(cells.map((td) => [td.text(), td.classes()])).toEqual([
      ["h-1", []],
      ["—", ["num"]],
    ]);
  });

  it("reports the order through v-model:sort and follows one set from outside", async () => {
    const w = setup();
    await click(w, "n");
    expect(w.emitted("update:sort")).toEqual([[{ key: "n", desc: false }]]);
    await w.setProps({ sort: { key: "name", desc: true } });
    expect(ids(w)).toEqual(["a", "e", "c", "b", "d"]);
    expect(header(w, "name").attributes("aria-sort")).toBe("descending");
  });
});
