import { isObject, type JsonObject } from '../../providers/json-fields.js';
import { estimateBodyInputTokens } from '../../limits/token-estimate.js';
import { malformed, untranslatable } from '../translation-error.js';
import { refuseUnmapped } from '../request-fields.js';
import type { TranslatedRequest } from '../translator.js';

/**
 * OpenAI Embeddings ⇄ Gemini (WIRE-GEMINI.md §1 "Embed bodies"): one string → `:embedContent`
 * with one `content`; an array → `:batchEmbedContents` with one request per input (several
 * parts in one content would give one vector, Portkey's bug); `dimensions` →
 * `outputDimensionality`. Gemini embeds text only: token-id input is refused. It reports no
 * token counts, so `usage` is the gateway's own input estimate — the one the budget and rate
 * limits already use (`limits/token-estimate.ts`) — and spend settles on it, marked estimated.
 */

const IGNORED = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

function content(text: unknown, param: string): JsonObject {
  if (typeof text !== 'string') throw untranslatable(param, 'Gemini embeds text only (no token ids).');
  return { parts: [{ text }] };
}

/** The Gemini embed body: `{content}` for one string (the adapter sends it to `:embedContent`), `{requests}` for an array. */
export function embeddingsToGemini(body: Readonly<JsonObject>, model: string): JsonObject {
  refuseUnmapped(body, IGNORED, 'Gemini');
  const format = body['encoding_format'];
  if (format !== undefined && format !== 'float' && format !== 'base64') throw malformed('encoding_format', "must be 'float' or 'base64'.");
  const dims = body['dimensions'];
  const extra: JsonObject = typeof dims === 'number' ? { outputDimensionality: dims } : {};
  const input = body['input'];
  if (typeof input === 'string') return { content: content(input, 'input'), ...extra };
  if (!Array.isArray(input) || input.length === 0) throw malformed('input', 'must be a string or a non-empty array of strings.');
  return { requests: input.map((text, i) => ({ model: `models/${model}`, content: content(text, `input[${i}]`), ...extra })) };
}

/** A vector as OpenAI's base64 encoding: little-endian float32 bytes. */
function base64Vector(values: readonly number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
  return bytes.toString('base64');
}

function vectors(body: JsonObject): unknown[] {
  if (isObject(body['embedding'])) return [body['embedding']['values']];
  return Array.isArray(body['embeddings']) ? body['embeddings'].map((e) => (isObject(e) ? e['values'] : undefined)) : [];
}

/** A Gemini embed answer as an OpenAI `list` of embeddings, in input order, with the estimated usage. */
export function geminiToEmbeddings(body: JsonObject, request: TranslatedRequest): JsonObject {
  const base64 = request.body['encoding_format'] === 'base64';
  const data = vectors(body).map((values, index) => {
    const list = Array.isArray(values) ? values.filter((v): v is number => typeof v === 'number') : [];
    return { object: 'embedding', index, embedding: base64 ? base64Vector(list) : list };
  });
  const tokens = estimateBodyInputTokens('embeddings', request.body, request.model);
  return { object: 'list', data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
