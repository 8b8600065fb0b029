/**
 * The bbb-daemon ping checksum (docs/legacy-protocols.md "bbb-daemon checksum"): a 16-bit
 * ones'-complement sum of big-endian byte pairs, folded and inverted (RFC 1071), over the UTF-8
 * of the payload's Python text. The quirk of the original: for an odd length, the last byte is
 * not added as `byte << 8` but as the sum of the character codes of its decimal digits, shifted
 * left 8 bits (a closing `}` = 125 adds ('1'+'2'+'5') << 8 = 0x9800, not 0x7d00).
 */
export function daemonChecksum(bytes: Uint8Array, quirk = true): number {
  let sum = 0;
  const even = bytes.length - (bytes.length % 2);
  for (let i = 0; i < even; i += 2) sum += ((bytes[i] ?? 0) << 8) + (bytes[i + 1] ?? 0);
  if (bytes.length % 2 === 1) {
    const last = bytes[bytes.length - 1] ?? 0;
    if (!quirk) sum += last << 8;
    else for (const digit of String(last)) sum += digit.charCodeAt(0) << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}
