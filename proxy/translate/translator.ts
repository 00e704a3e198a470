import type { ProviderApi, RouteKind } from '../core/vocabulary.js';

export type { ProviderApi };
import type { SseTransform } from '../providers/sse-types.js';
import type { JsonObject } from '../providers/json-fields.js';

/** What a translator may read of the request when it maps the answer. */
export interface TranslatedRequest {
  readonly body: Readonly<JsonObject>;
  readonly model: string;
}

/**
 * One client API → one provider API (envoyproxy/ai-gateway's `<client>_<backend>` translators).
 * A translator is stateless; a stream gets its own per-request transform. It never sees the
 * request context: it takes the parsed client body (never mutated — each attempt translates
 * afresh, so a fallback to another API starts from the same untouched request) and provider
 * JSON, and gives back plain values.
 */
export interface Translator {
  /** The client route it serves (`chat`, `messages`, `responses`). */
  readonly client: RouteKind;
  /** The provider wire API it speaks upstream. */
  readonly provider: ProviderApi;
  /** The provider adapter's route the upstream request goes to. */
  readonly upstreamRoute: RouteKind;
  /**
   * The provider request body for `model` from the client body. What the target cannot express
   * throws a 400 `invalid_request` naming the field (never a silent drop).
   */
  request(body: Readonly<JsonObject>, model: string, stream: boolean): JsonObject;
  /**
   * A complete provider answer (2xx JSON) as the client's API would have answered it. `request`
   * is the client body and the provider model, for the answers that must be completed from
   * the request (Gemini embeddings carry neither token counts nor a model name).
   */
  response(body: JsonObject, request: TranslatedRequest): JsonObject;
  /** Maps the provider's stream, event by event, into the client's events (terminal frame included). */
  stream(): SseTransform;
}
