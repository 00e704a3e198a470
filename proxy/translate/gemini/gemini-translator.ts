import type { RouteKind } from '../../core/vocabulary.js';
import type { JsonObject } from '../../providers/json-fields.js';
import type { SseTransform } from '../../providers/sse-types.js';
import type { Translator } from '../translator.js';

/**
 * A client → Gemini pair from its three mappings. What every such pair shares: the body never
 * carries the model or the stream flag (both go in the URL: `models/{model}:generateContent` or
 * `:streamGenerateContent?alt=sse`), so the request mapping takes the client body alone.
 */
export function geminiTranslator(client: RouteKind, upstreamRoute: RouteKind, request: (body: Readonly<JsonObject>) => JsonObject, response: (body: JsonObject) => JsonObject, Stream: new () => SseTransform): Translator {
  return { client, provider: 'gemini', upstreamRoute, request: (body) => request(body), response, stream: () => new Stream() };
}
