import type { Node } from "@bbb/shared";

/** A node as the flat text fields of the CSV and of import diffs. */
export function nodeFields(n: Node): Record<string, string> {
  return {
    ip: n.ip.mode === "dhcp" ? "dhcp" : n.ip.ip,
    netmask: n.ip.mode === "dhcp" ? "" : n.ip.netmask,
    gateway: n.ip.mode === "dhcp" ? "" : n.ip.gateway,
    type: n.type,
    sector: n.sector ?? "",
    pv: n.pvPrefixes.join(" "),
    nameservers: n.nameservers.join(" "),
    board: n.boardId ?? "",
    notes: n.notes,
    spare: n.spare ? "yes" : "",
  };
}

/** Fields that differ between the current node and the imported one. */
export function nodeChanges(before: Node, after: Node): { field: string; before: string; after: string }[] {
  const a = nodeFields(before);
  const b = nodeFields(after);
  return Object.keys(b).flatMap((field) =>
    a[field] === b[field] ? [] : [{ field, before: a[field] ?? "", after: b[field] ?? "" }],
  );
}
