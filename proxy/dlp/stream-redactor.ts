import { normalizeForScan } from './normalize.js';
import { applyRedactions, type ScanMatch, type Scanner } from './scanner.js';

/** What a stream redactor lets through after a chunk: text safe to send, and the matches redacted in it. */
export interface StreamStep {
  readonly text: string;
  readonly matches: readonly ScanMatch[];
}

const NOTHING: StreamStep = { text: '', matches: [] };

/**
 * Redacts one growing text (a choice's content, a content block, a tool call's arguments) as it
 * streams. It holds back only the suffix that could still grow into a match — a trailing word
 * that may be an e-mail's local part, digits that may become a card number, `-----BEGIN`… —
 * so a secret split across chunks is caught whole, while text that cannot start a match flows
 * on at once. The hold-back never exceeds the longest possible match (capped at MAX_HOLD_BACK).
 */
export class StreamRedactor {
  readonly #scanner: Scanner;
  #held = '';

  constructor(scanner: Scanner) {
    this.#scanner = scanner;
  }

  /** Characters currently held back. */
  get heldLength(): number {
    return this.#held.length;
  }

  /** Adds a chunk and returns what can be sent now. */
  push(chunk: string): StreamStep {
    const buffer = this.#held + chunk;
    if (buffer.length === 0) return NOTHING;
    const view = normalizeForScan(buffer);
    const matches = this.#scanner.scanView(view);
    let hold = this.#scanner.tailStart(view);
    // A complete match that straddles the release point is held whole; repeat until none does.
    for (let moved = true; moved; ) {
      moved = false;
      for (const m of matches) {
        if (m.start < hold && m.end > hold) {
          hold = m.start;
          moved = true;
        }
      }
    }
    if (hold > 0 && hold < buffer.length && isHighSurrogate(buffer.charCodeAt(hold - 1))) hold--;
    if (hold <= 0) {
      this.#held = buffer;
      return NOTHING;
    }
    const released = matches.filter((m) => m.end <= hold);
    this.#held = buffer.slice(hold);
    return { text: applyRedactions(buffer.slice(0, hold), released), matches: released };
  }

  /** The text is complete: returns everything still held, redacted. */
  flush(): StreamStep {
    const buffer = this.#held;
    this.#held = '';
    if (buffer.length === 0) return NOTHING;
    const matches = this.#scanner.scan(buffer);
    return { text: applyRedactions(buffer, matches), matches };
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
