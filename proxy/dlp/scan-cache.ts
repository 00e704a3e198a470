import { hash } from 'node:crypto';
import type { Scanner, ScanMatch } from './scanner.js';

/** Texts shorter than this are scanned every time: the Set pass over them costs about what a digest does. */
const MIN_CHARS = 128;
/** A text with more matches than this is scanned every time, so an entry stays small. */
const MAX_MATCHES = 16;
const NOTHING: readonly ScanMatch[] = Object.freeze([]);

/**
 * The matches of texts one tenant sent lately, so that a text sent again is not scanned again.
 * Most of a chat request was sent before: the system prompt, the skill instructions and every
 * earlier turn of the conversation come back with each new turn.
 *
 * Keyed by the SHA-256 of the text, not the text: the cache keeps no prompt in memory, and a
 * collision (which would let one text pass with another's matches) is out of reach, which a
 * cheaper hash would not promise. One cache per tenant and per compiled detector set: a tenant
 * only ever hits what it sent itself, and a change of its DLP settings starts a fresh cache.
 * Least recently used entries go first.
 */
export class ScanCache {
  readonly #maxEntries: number;
  readonly #entries = new Map<string, readonly ScanMatch[]>();

  constructor(maxEntries = 64) {
    this.#maxEntries = maxEntries;
  }

  /** The scanner's matches in `text`, from the cache when this text was scanned lately. */
  scan(scanner: Scanner, text: string): readonly ScanMatch[] {
    if (text.length < MIN_CHARS || this.#maxEntries === 0) return scanner.scan(text);
    const key = hash('sha256', text, 'base64');
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const found = scanner.scan(text);
    if (found.length > MAX_MATCHES) return found;
    this.#entries.set(key, found.length === 0 ? NOTHING : Object.freeze(found));
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    return found;
  }

  /** Texts remembered now, for tests. */
  get size(): number {
    return this.#entries.size;
  }
}
