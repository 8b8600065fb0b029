import { z } from "zod";

/**
 * Type codes written by the boards' identification script into /opt/device.json,
 * and the registry type name each maps to.
 */
export const DEVICE_TYPE_CODES: Readonly<Record<number, string>> = {
  0: "undefined",
  1: "power-supply",
  2: "counting-pru",
  3: "thermo-probe",
  4: "mbtemp",
  5: "agilent-4uhv",
  6: "mks-937b",
  7: "spixconv",
};

export function deviceTypeName(code: number): string {
  return DEVICE_TYPE_CODES[code] ?? `device-${code}`;
}

/** /opt/device.json as the identification script writes it. Extra keys are tolerated. */
export const deviceJsonSchema = z.looseObject({
  device: z.number().int().min(0).max(255),
  baudrate: z.number().int().nonnegative().optional(),
  details: z.string().max(4096).optional(),
  time: z.string().max(128).optional(),
});
export type DeviceJson = z.infer<typeof deviceJsonSchema>;
