import { z } from "zod";
import { boolParamSchema, oneOrManySchema } from "./common.js";

/** Largest CSV accepted by nodes.import (about 40,000 rows of a typical export). */
export const MAX_NODES_CSV_BYTES = 4 * 1024 * 1024;
/** Rows of a nodes CSV beyond the header. */
export const MAX_NODES_CSV_ROWS = 20_000;

/**
 * Columns of a nodes CSV (header row required, any order, case-insensitive). `ip` is `dhcp` or an
 * address; netmask and gateway come from the sector CIDR holding it (gateway = the subnet's first
 * address) unless given. `pv` and `nameservers` hold several values separated by spaces or ';'.
 * A column left out of the header keeps the node's current value.
 */
export const NODES_CSV_COLUMNS = [
  "hostname",
  "ip",
  "type",
  "sector",
  "pv",
  "netmask",
  "gateway",
  "nameservers",
  "board",
  "notes",
  "spare",
] as const;
export type NodesCsvColumn = (typeof NODES_CSV_COLUMNS)[number];

/**
 * nodes.import: validates every row against the registry (types, sectors, duplicates) and
 * reports what would change; nothing is applied unless every row is valid, and nothing at all
 * on a dry run. `replace`: nodes missing from the CSV are removed.
 */
export const nodesImportParamsSchema = z
  .object({
    csv: z.string().max(MAX_NODES_CSV_BYTES),
    dryRun: boolParamSchema.default(false),
    replace: boolParamSchema.default(false),
  })
  .strict();
export type NodesImportParams = z.input<typeof nodesImportParamsSchema>;

export const fieldChangeSchema = z
  .object({ field: z.string().max(32), before: z.string().max(2048), after: z.string().max(2048) })
  .strict();
const rowRefSchema = z.object({ line: z.number().int().positive(), hostname: z.string().max(253) }).strict();

export const nodesImportResultSchema = z
  .object({
    dryRun: z.boolean(),
    replace: z.boolean(),
    /** True when the changes were written (all rows valid and not a dry run). */
    applied: z.boolean(),
    rows: z.number().int().nonnegative(),
    counts: z
      .object({
        added: z.number().int().nonnegative(),
        changed: z.number().int().nonnegative(),
        unchanged: z.number().int().nonnegative(),
        removed: z.number().int().nonnegative(),
        errors: z.number().int().nonnegative(),
      })
      .strict(),
    added: z.array(rowRefSchema),
    changed: z.array(rowRefSchema.extend({ fields: z.array(fieldChangeSchema) }).strict()),
    unchanged: z.array(rowRefSchema),
    removed: z.array(z.object({ hostname: z.string().max(253) }).strict()),
    /** Bad rows by line number (1 = the header); line 0 concerns the whole file. */
    errors: z.array(
      z
        .object({
          line: z.number().int().nonnegative(),
          hostname: z.string().max(253).nullable(),
          message: z.string().max(2048),
        })
        .strict(),
    ),
  })
  .strict();
export type NodesImportResult = z.infer<typeof nodesImportResultSchema>;

/** nodes.export: the nodes as CSV text (columns NODES_CSV_COLUMNS), optionally filtered. */
export const nodesExportParamsSchema = z
  .object({
    type: oneOrManySchema(z.string().max(64)).optional(),
    sector: oneOrManySchema(z.string().max(64)).optional(),
  })
  .strict()
  .default({});
export const nodesExportResultSchema = z.object({ csv: z.string(), count: z.number().int().nonnegative() }).strict();
