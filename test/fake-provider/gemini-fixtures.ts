import type { FakeBehavior } from './behavior.js';
import { DEFAULT_TEXT, DEFAULT_USAGE, pieces } from './behavior.js';

/**
 * Gemini `generateContent` wire shapes as documented (WIRE-GEMINI.md §3-§5; googleapis/python-genai
 * types): camelCase fields, `candidates[].content.parts`, a function call whole in one part with
 * a `thoughtSignature` beside it, cumulative `usageMetadata`, no `[DONE]` on streams, and the
 * Google error envelope `{error:{code,message,status,details}}`.
 */

type Json = Record<string, unknown>;

const STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE', 504: 'DEADLINE_EXCEEDED' };

export const FAKE_THOUGHT_SIGNATURE = 'CiQBVKhc7fakeSignature==';

export function geminiError(status: number): Json {
  const details = status === 429 ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '38s' }] : [];
  return { error: { code: status, message: `Fake ${STATUS[status] ?? 'UNKNOWN'}.`, status: STATUS[status] ?? 'UNKNOWN', details } };
}

function usage(b: FakeBehavior, output: number | undefined): Json {
  const u = b.usage ?? DEFAULT_USAGE;
  const out: Json = { promptTokenCount: u.input, totalTokenCount: u.input + (output ?? 0), promptTokensDetails: [{ modality: 'TEXT', tokenCount: u.input }] };
  if (u.cached) out['cachedContentTokenCount'] = u.cached;
  if (output !== undefined) out['candidatesTokenCount'] = output;
  return out;
}

function response(model: string, parts: Json[], finishReason: string | undefined, usageMetadata: Json): Json {
  const candidate: Json = { content: { role: 'model', parts }, index: 0 };
  if (finishReason !== undefined) candidate['finishReason'] = finishReason;
  return { candidates: [candidate], usageMetadata, modelVersion: model, responseId: 'fakeGeminiResponse1' };
}

function callPart(b: FakeBehavior): Json {
  return { functionCall: { name: b.toolCall?.name, args: b.toolCall?.arguments }, thoughtSignature: FAKE_THOUGHT_SIGNATURE };
}

export function generateContent(model: string, b: FakeBehavior): Json {
  const parts = b.toolCall ? [callPart(b)] : [{ text: b.text ?? DEFAULT_TEXT }];
  return response(model, parts, 'STOP', usage(b, (b.usage ?? DEFAULT_USAGE).output));
}

/** `data:` payloads of a `streamGenerateContent?alt=sse` stream: text deltas, then the finish with full usage. */
export function generateContentStream(model: string, b: FakeBehavior): string[] {
  const out: Json[] = [];
  if (b.toolCall) {
    out.push(response(model, [{ text: '' , thought: true }], undefined, usage(b, undefined)));
    out.push(response(model, [callPart(b)], undefined, usage(b, undefined)));
  } else {
    for (const piece of pieces(b.text ?? DEFAULT_TEXT)) out.push(response(model, [{ text: piece }], undefined, usage(b, undefined)));
  }
  out.push(response(model, [{ text: '' }], 'STOP', usage(b, (b.usage ?? DEFAULT_USAGE).output)));
  return out.map((j) => JSON.stringify(j));
}

/** A fake embedding: `dims` values, different per input position (WIRE-GEMINI.md §1 "Embed bodies"). */
function values(dims: number, index: number): number[] {
  return Array.from({ length: dims }, (_v, i) => (i + 1) / 100 + index);
}

function dimensionsOf(request: Json): number {
  return typeof request['outputDimensionality'] === 'number' ? request['outputDimensionality'] : 8;
}

/** `:embedContent` answers `{embedding:{values}}`, with no token counts (Gemini reports none). */
export function embedContent(body: Json): Json {
  return { embedding: { values: values(dimensionsOf(body), 0) } };
}

/** `:batchEmbedContents` answers one `{values}` per request item, in order. */
export function batchEmbedContents(body: Json): Json {
  const requests = Array.isArray(body['requests']) ? (body['requests'] as Json[]) : [];
  return { embeddings: requests.map((r, i) => ({ values: values(dimensionsOf(r), i) })) };
}

/**
 * Google's answer to a bad key: HTTP 400 `INVALID_ARGUMENT` with `ErrorInfo.reason`
 * `API_KEY_INVALID` (WIRE-GEMINI.md §5). This fake also quotes the key it got, so a test can
 * prove the provider's text never reaches the client.
 */
export function geminiApiKeyInvalid(key: string): Json {
  return {
    error: {
      code: 400,
      message: `API key not valid. Please pass a valid API key. (got ${key})`,
      status: 'INVALID_ARGUMENT',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } }],
    },
  };
}
