import { z } from "zod";
import { boardIdSchema } from "../ids.js";

/** One block device of the board: eMMC or SD card (docs/protocol.md §"Inventory"). */
export const storageDeviceSchema = z
  .object({
    name: z.string().max(32),
    kind: z.enum(["emmc", "sd", "other"]),
    bytes: z.number().int().nonnegative(),
  })
  .strict();

/**
 * Payload of `<root>/<boardId>/inventory` (retained, QoS 1): what the board runs, published by
 * the agent at start and whenever a field changes, never per beat (docs/protocol.md §"Inventory").
 */
export const inventorySchema = z
  .object({
    v: z.literal(1),
    id: boardIdSchema,
    ts: z.number().int().nonnegative(),
    /** `uname -r` (/proc/sys/kernel/osrelease). */
    kernel: z.string().max(128).nullable(),
    /** First line of /etc/dogtag on BeagleBoard images. */
    image: z.string().max(256).nullable(),
    /** /etc/debian_version. */
    debian: z.string().max(64).nullable(),
    /** Device-tree overlays the running kernel reports as applied. */
    overlays: z.array(z.string().max(128)).max(32),
    /** The cape and overlay lines of /boot/uEnv.txt that are not commented out, as written. */
    uEnv: z.array(z.string().max(256)).max(32),
    node: z.string().max(32),
    agent: z.string().max(32),
    storage: z.array(storageDeviceSchema).max(8),
  })
  .strict();
export type Inventory = z.infer<typeof inventorySchema>;

/** Inventory fields a type can declare expected values for; a board differing is misconfigured. */
export const inventoryFields = ["kernel", "image", "debian", "overlays", "node", "agent"] as const;
export type InventoryField = (typeof inventoryFields)[number];

/** Scalar inventory fields as text, overlays joined sorted: the value shown, compared and counted. */
export function inventoryValue(inv: Inventory, field: InventoryField): string {
  if (field === "overlays") return [...inv.overlays].sort().join(",");
  return inv[field] ?? "";
}
