import type { SortKey } from "./sort.js";

export interface Column {
  key: SortKey;
  label: string;
  width: string;
  align?: "right";
}

/** The columns of the boards table, in the order operators read them. */
export const COLUMNS: readonly Column[] = [
  { key: "hostname", label: "Hostname", width: "minmax(15rem, 2fr)" },
  { key: "ip", label: "IP", width: "8.5rem" },
  { key: "id", label: "Board id", width: "8.5rem" },
  { key: "type", label: "Type", width: "7rem" },
  { key: "sector", label: "Sector", width: "6rem" },
  { key: "state", label: "State", width: "9.5rem" },
  { key: "problem", label: "Problem", width: "minmax(10rem, 1.5fr)" },
  { key: "since", label: "Since", width: "5.5rem", align: "right" },
  { key: "lastSeen", label: "Last seen", width: "5.5rem", align: "right" },
  { key: "uptime", label: "Uptime", width: "6rem", align: "right" },
  { key: "load1", label: "Load", width: "4rem", align: "right" },
  { key: "tempC", label: "Temp", width: "4.5rem", align: "right" },
  { key: "projectRevision", label: "Project rev", width: "6rem" },
  { key: "pvPrefix", label: "PV prefix", width: "minmax(7rem, 1fr)" },
  { key: "agentVersion", label: "Agent", width: "4.5rem" },
];

export const GRID_TEMPLATE = `2.5rem ${COLUMNS.map((c) => c.width).join(" ")}`;
