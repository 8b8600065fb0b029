/** A WHERE clause built from optional filters: a filter whose value is undefined is left out. */
export function createWhere() {
  const clauses: string[] = [];
  const args: unknown[] = [];
  return {
    args,
    add(clause: string, v: unknown): void {
      if (v === undefined) return;
      clauses.push(clause);
      args.push(v);
    },
    push(clause: string, ...values: unknown[]): void {
      clauses.push(clause);
      args.push(...values);
    },
    sql: () => (clauses.length ? `WHERE ${clauses.join(" AND ")}` : ""),
  };
}
