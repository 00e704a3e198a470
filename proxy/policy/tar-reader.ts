/**
 * A minimal reader for the uncompressed tar archives `opa build` writes (Go's archive/tar:
 * ustar headers, GNU long names and PAX records possible). It returns regular files by path,
 * with leading `/` and `./` removed, and throws on a malformed or truncated archive.
 */
const BLOCK = 512;

function cString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function octal(block: Buffer, start: number, length: number, field: string): number {
  const text = cString(block, start, length).trim();
  for (const ch of text) if (ch < '0' || ch > '7') throw new Error(`tar: bad ${field} field`);
  return text === '' ? 0 : parseInt(text, 8);
}

function verifyChecksum(block: Buffer, offset: number): void {
  const expected = octal(block, 148, 8, 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  if (sum !== expected) throw new Error(`tar: header checksum mismatch at byte ${offset}`);
}

function paxPath(body: Buffer): string | undefined {
  // Records are `<length> <key>=<value>\n`.
  let pos = 0;
  let path: string | undefined;
  while (pos < body.length) {
    const space = body.indexOf(0x20, pos);
    if (space === -1) break;
    const length = parseInt(body.toString('utf8', pos, space), 10);
    if (!Number.isFinite(length) || length <= 0) throw new Error('tar: bad PAX record');
    const record = body.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    if (eq !== -1 && record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    pos += length;
  }
  return path;
}

function normalise(name: string): string {
  let out = name;
  while (out.startsWith('/') || out.startsWith('./')) out = out.startsWith('/') ? out.slice(1) : out.slice(2);
  return out;
}

/** Regular files of a tar archive, by normalised path. */
export function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  let nextName: string | undefined;
  let sawEnd = false;
  while (offset + BLOCK <= archive.length) {
    const block = archive.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) {
      sawEnd = true;
      break;
    }
    verifyChecksum(block, offset);
    const size = octal(block, 124, 12, 'size');
    const type = String.fromCharCode(block[156] as number);
    const bodyStart = offset + BLOCK;
    if (bodyStart + size > archive.length) throw new Error('tar: archive is truncated');
    const body = archive.subarray(bodyStart, bodyStart + size);
    const prefix = cString(block, 257, 6) === 'ustar' ? cString(block, 345, 155) : '';
    const headerName = prefix ? `${prefix}/${cString(block, 0, 100)}` : cString(block, 0, 100);
    if (type === 'L') {
      nextName = cString(body, 0, body.length);
    } else if (type === 'x') {
      nextName = paxPath(body) ?? nextName;
    } else {
      if (type === '0' || type === '\0') files.set(normalise(nextName ?? headerName), body);
      nextName = undefined;
    }
    offset = bodyStart + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (!sawEnd) throw new Error('tar: archive has no end marker (truncated?)');
  return files;
}
