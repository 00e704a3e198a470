import type { FileHandle } from 'node:fs/promises';
import { parseSpoolLine, type SpoolLine } from './spool-line.js';

/** A run of complete spool lines read from one segment. */
export interface SpoolChunk {
  readonly lines: SpoolLine[];
  /** Offset just after the last consumed byte (complete lines, plus skipped garbage). */
  readonly end: number;
  /** Lines consumed, including unparseable ones. */
  readonly consumed: number;
  /** Lines that were not valid spool JSON (a torn tail of a crashed process). */
  readonly corrupt: number;
}

/**
 * Reads up to `maxLines` complete lines of a segment (through its open `handle`) between `offset`
 * and `limit`. A trailing partial line is left for later (or, in a sealed segment, consumed as garbage).
 */
export async function readSpoolChunk(handle: FileHandle, offset: number, limit: number, maxLines: number, sealed: boolean): Promise<SpoolChunk> {
  if (offset >= limit) return { lines: [], end: offset, consumed: 0, corrupt: 0 };
  let size = Math.min(limit - offset, 1024 * 1024);
  for (;;) {
    const buf = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(buf, 0, size, offset);
    const data = buf.subarray(0, bytesRead);
    const lastNl = data.lastIndexOf(10);
    if (lastNl === -1) {
      if (offset + bytesRead < limit && bytesRead === size) {
        size = Math.min(limit - offset, size * 2); // one line longer than the buffer: read more
        continue;
      }
      // No newline up to the limit: an incomplete tail. Garbage if sealed, not yet written otherwise.
      return sealed ? { lines: [], end: limit, consumed: 1, corrupt: 1 } : { lines: [], end: offset, consumed: 0, corrupt: 0 };
    }
    const lines: SpoolLine[] = [];
    let consumed = 0;
    let corrupt = 0;
    let start = 0;
    while (start <= lastNl && consumed < maxLines) {
      const nl = data.indexOf(10, start);
      const text = data.toString('utf8', start, nl);
      start = nl + 1;
      consumed++;
      if (text.trim() === '') {
        corrupt++;
        continue;
      }
      const line = parseSpoolLine(text, offset + start, consumed - 1);
      if (line) lines.push(line);
      else corrupt++;
    }
    return { lines, end: offset + start, consumed, corrupt };
  }
}
