import { countBpe, type Encoding, type TokenCountCache } from './bpe-count.js';
import type { RouteKind } from '../core/vocabulary.js';
import { clientFormat } from '../client-apis/client-formats.js';
import type { InputTally } from '../client-apis/input-tally.js';

/**
 * Input-token estimate of a request, used as the worst case by the budget stage and as the
 * admission estimate of tokens/min. It must not undercount (or a budget could be passed), and
 * it runs on the request path, so it is bounded in cost:
 *
 * - OpenAI models (names starting `gpt-`, `o1`/`o3`/`o4`, `chatgpt-`, `text-embedding-`) are
 *   counted with their real BPE (`gpt-tokenizer`: `cl100k_base` for gpt-4/3.5 and the older
 *   embeddings, `o200k_base` for the rest; `bpe-count.ts` keeps hostile runs from making that
 *   quadratic), plus 4 tokens per message and 3 for the reply primer, the framing OpenAI adds.
 *   Each part (a message, a system prompt, a tool schema) is counted on its own, as OpenAI
 *   counts messages, so that a part seen before (the system prompt, the earlier turns a chat
 *   resends) is a cache hit when the caller passes a {@link TokenCountCache}.
 * - Other models (Anthropic, Llama on vLLM, …) have no public tokenizer here, and prompts over
 *   {@link TOKENIZE_MAX_CHARS} characters would block the event loop too long (~20 ms per MB):
 *   they get `ceil(ascii / 3) + non-ASCII code units`. English runs ~4 chars/token, so ASCII/3
 *   overestimates; CJK and emoji are about a token per code unit, so counting each as one
 *   keeps the bound there too.
 * - Images, audio and files count {@link MEDIA_PART_TOKENS} each (their real cost depends on
 *   pixels and model; base64 payloads are never tokenized as text).
 * - Tool and schema definitions are counted as their JSON text.
 *
 * Which fields hold prompt, conversation and definitions is each client format's knowledge
 * (`ClientFormat.estimateInput`); this module owns the counting.
 */
export const TOKENIZE_MAX_CHARS = 256 * 1024;
export const MEDIA_PART_TOKENS = 2_000;
const PER_ITEM_TOKENS = 4;
const PRIMER_TOKENS = 3;

const MEDIA_TYPES = new Set(['image_url', 'image', 'input_image', 'input_audio', 'audio', 'file', 'input_file', 'document']);
/** Keys inside content whose value is a schema, counted as its JSON text. */
const SCHEMA_KEYS = new Set(['tools', 'functions', 'response_format', 'tool_choice', 'text', 'input_schema', 'parameters']);
const SKIPPED_KEYS = new Set(['type', 'id', 'tool_call_id', 'tool_use_id', 'call_id', 'cache_control']);

/** Where counts of repeated parts are remembered, and for which tenant. */
export interface CountCacheUse {
  readonly cache: TokenCountCache;
  readonly tenant: string;
}

/** Input tokens of a request body for `model` on `route` (see the module comment for the method). */
export function estimateBodyInputTokens(route: RouteKind, body: Readonly<Record<string, unknown>>, model: string, cached?: CountCacheUse): number {
  const format = clientFormat(route);
  if (!format) return 0;
  const tally = new Tally();
  format.estimateInput(body, tally);
  const extra = tally.framing + tally.media * MEDIA_PART_TOKENS + tally.tokenIdCount;
  const encoding = tokenizerFor(model);
  if (!encoding || tally.chars > TOKENIZE_MAX_CHARS) return heuristicTokens(tally.texts.join('\n')) + extra;
  let counted = 0;
  for (const text of tally.texts) counted += cached ? cached.cache.count(cached.tenant, encoding, text) : countBpe(encoding, text);
  return counted + extra;
}

/** A conservative token count without a tokenizer: ASCII / 3, plus one per non-ASCII code unit. */
export function heuristicTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3) + other;
}

function tokenizerFor(model: string): Encoding | undefined {
  const m = model.toLowerCase();
  if (m.startsWith('gpt-3.5') || m.startsWith('text-embedding-3') || m.startsWith('text-embedding-ada')) return 'cl100k';
  if (m.startsWith('gpt-4') && !m.startsWith('gpt-4o') && !m.startsWith('gpt-4.')) return 'cl100k';
  if (m.startsWith('gpt-') || m.startsWith('chatgpt-') || m.startsWith('o1') || m.startsWith('o3') || m.startsWith('o4')) return 'o200k';
  return undefined;
}

/** What a format reports, gathered: texts to count, framing tokens, media parts, token ids. */
class Tally implements InputTally {
  readonly texts: string[] = [];
  chars = 0;
  framing = 0;
  media = 0;
  tokenIdCount = 0;

  text(value: string): void {
    if (value.length === 0) return;
    this.texts.push(value);
    this.chars += value.length;
  }

  content(value: unknown): void {
    if (typeof value === 'string') {
      // A data: URL or base64 blob outside a typed media part still is media, not prose.
      if (value.length > 1024 && value.startsWith('data:')) this.media++;
      else this.text(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) this.content(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    const type = record['type'];
    if (typeof type === 'string' && MEDIA_TYPES.has(type)) {
      this.media++;
      return;
    }
    for (const [key, inner] of Object.entries(record)) {
      if (SKIPPED_KEYS.has(key)) continue;
      if (SCHEMA_KEYS.has(key)) this.text(JSON.stringify(inner));
      else this.content(inner);
    }
  }

  definition(value: unknown): void {
    if (value !== null && typeof value === 'object') this.text(JSON.stringify(value));
    else this.content(value);
  }

  items(count: number): void {
    this.framing += count * PER_ITEM_TOKENS;
  }

  replyPrimer(): void {
    this.framing += PRIMER_TOKENS;
  }

  tokenIds(count: number): void {
    this.tokenIdCount += count;
  }
}
