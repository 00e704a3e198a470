/**
 * Redis Cluster's key → slot function (CRC16-XMODEM of the key's hash tag, mod 16384), so the
 * gateway can check before a Lua script runs that all its keys live on one node: a script whose
 * keys span slots would fail on a cluster with CROSSSLOT, and only there.
 */

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc;
}

/** The part of a key that is hashed: the text inside the first non-empty `{…}`, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close <= open + 1) return key;
  return key.slice(open + 1, close);
}

/** The cluster slot (0–16383) of `key`. */
export function hashSlot(key: string): number {
  return crc16(Buffer.from(hashTag(key), 'utf8')) % 16384;
}

/** True when every key maps to the same slot (an empty list trivially does). */
export function sameSlot(keys: readonly string[]): boolean {
  const first = keys[0];
  if (first === undefined) return true;
  const slot = hashSlot(first);
  return keys.every((key) => hashSlot(key) === slot);
}
