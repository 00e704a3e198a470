/**
 * A text as the UTF-8 bytes RE2 runs on, with conversions between byte offsets and the UTF-16
 * offsets of the JavaScript string. RE2 is given the Buffer because node-re2's string path
 * converts offsets from the start of the string on every `exec` (cost grows with the distance
 * to each match); on bytes, an exec loop over a long prompt stays one linear pass.
 */
export class Utf8Text {
  readonly text: string;
  readonly bytes: Buffer;
  /** True when every character is ASCII: byte offsets are string offsets. */
  readonly ascii: boolean;
  #charAt: Int32Array | undefined;

  constructor(text: string) {
    this.text = text;
    this.bytes = Buffer.from(text, 'utf8');
    this.ascii = this.bytes.length === text.length;
  }

  /** String offset of the character that starts at byte `byte` (or the end). */
  charIndex(byte: number): number {
    if (this.ascii) return byte;
    this.#charAt ??= this.#buildTable();
    return this.#charAt[Math.min(byte, this.bytes.length)] as number;
  }

  /** Byte offset of string offset `index`. */
  byteIndex(index: number): number {
    if (this.ascii) return index;
    return Buffer.byteLength(this.text.slice(0, index), 'utf8');
  }

  /** Byte offset just after the character that starts at byte `byte` (never inside a character). */
  nextCharByte(byte: number): number {
    const lead = this.bytes[byte];
    if (lead === undefined) return byte + 1;
    return byte + (lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1);
  }

  /** Byte offset where the character containing byte `byte` starts. */
  charStartAt(byte: number): number {
    let at = byte;
    while (at > 0 && ((this.bytes[at] as number) & 0xc0) === 0x80) at--;
    return at;
  }

  #buildTable(): Int32Array {
    const table = new Int32Array(this.bytes.length + 1);
    let byte = 0;
    for (let i = 0; i < this.text.length; ) {
      const cp = this.text.codePointAt(i) as number;
      const width = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 || cp > 0x10ffff ? 3 : 4;
      // Lone surrogates are encoded as U+FFFD (3 bytes) by Buffer.from.
      for (let k = 0; k < width; k++) table[byte + k] = i;
      byte += width;
      i += cp > 0xffff ? 2 : 1;
    }
    table[byte] = this.text.length;
    return table;
  }
}
