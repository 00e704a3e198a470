import type { DlpFinding } from '../core/vocabulary.js';
import type { PromptPart } from '../client-apis/prompt-parts.js';
import { applyRedactions, type ScanMatch } from './scanner.js';
import type { StreamRedactor } from './stream-redactor.js';
import type { TenantDlp } from './tenant-dlp.js';

/** Thrown inside the response filters when `dlp.responses: block` meets a match. */
export class ResponseBlocked extends Error {
  constructor(readonly detectors: readonly string[]) {
    super(`Response blocked by data loss prevention: ${detectors.join(', ')}`);
    this.name = 'ResponseBlocked';
  }
}

interface Channel {
  readonly redactor: StreamRedactor;
  /** Everything released so far (already redacted): the channel's final text once flushed. */
  emitted: string;
  /** Event fields needed to write a synthetic delta for this channel (ids, indexes). */
  readonly meta: Record<string, unknown>;
}

/**
 * The response-side bookkeeping of one request: one stream redactor per growing text (keyed by
 * choice / block / item), the counts behind the `response` findings, and the block decision.
 */
export class ResponseChannels {
  readonly #dlp: TenantDlp;
  readonly #block: boolean;
  readonly #channels = new Map<string, Channel>();
  readonly #counts = new Map<string, number>();
  readonly #whole = new Map<string, string>();
  #version = 0;

  constructor(dlp: TenantDlp) {
    this.#dlp = dlp;
    this.#block = dlp.responseMode === 'block';
  }

  /** Bumped whenever a finding was added (callers report findings only on change). */
  get version(): number {
    return this.#version;
  }

  #record(matches: readonly ScanMatch[]): void {
    if (matches.length === 0) return;
    for (const m of matches) this.#counts.set(m.detector, (this.#counts.get(m.detector) ?? 0) + 1);
    this.#version++;
    if (this.#block) throw new ResponseBlocked([...new Set(matches.map((m) => m.detector))]);
  }

  /** Feeds a delta of channel `key`; returns the text safe to send now. */
  push(key: string, text: string, meta: Record<string, unknown> = {}): string {
    let channel = this.#channels.get(key);
    if (!channel) {
      channel = { redactor: this.#dlp.createStreamRedactor(), emitted: '', meta };
      this.#channels.set(key, channel);
    }
    const step = channel.redactor.push(text);
    this.#record(step.matches);
    channel.emitted += step.text;
    return step.text;
  }

  /** The channel's text is complete: returns what was still held (redacted), '' when nothing. */
  flush(key: string): string {
    const channel = this.#channels.get(key);
    if (!channel) return '';
    const step = channel.redactor.flush();
    this.#record(step.matches);
    channel.emitted += step.text;
    return step.text;
  }

  /** Keys of channels still holding text back. */
  openKeys(prefix = ''): string[] {
    return [...this.#channels].filter(([key, c]) => key.startsWith(prefix) && c.redactor.heldLength > 0).map(([key]) => key);
  }

  meta(key: string): Record<string, unknown> {
    return this.#channels.get(key)?.meta ?? {};
  }

  /** The full redacted text of a flushed channel, or undefined when no delta of it was seen. */
  finalText(key: string): string | undefined {
    const channel = this.#channels.get(key);
    return channel && channel.redactor.heldLength === 0 ? channel.emitted : undefined;
  }

  /** Redacts a complete text seen only whole (non-stream bodies, done events without deltas); counted once per distinct text. */
  redactWhole(text: string, context = ''): string {
    const key = context + '\u0000' + text;
    const known = this.#whole.get(key);
    if (known !== undefined) return known;
    const matches: ScanMatch[] = [];
    for (const m of this.#dlp.scanText(context + text)) {
      if (m.end > context.length) matches.push({ ...m, start: Math.max(m.start, context.length) - context.length, end: m.end - context.length });
    }
    this.#record(matches);
    const redacted = applyRedactions(text, matches);
    this.#whole.set(key, redacted);
    return redacted;
  }

  /** Redacts a part collected by a walker. */
  redactPart(part: PromptPart): string {
    return this.redactWhole(part.text, part.context);
  }

  /** `{detector, count, action, direction: 'response'}` per detector that matched a response. */
  findings(): DlpFinding[] {
    const action = this.#block ? 'block' : 'redact';
    return [...this.#counts].map(([detector, count]) => ({ detector, count, action, direction: 'response' }));
  }
}
