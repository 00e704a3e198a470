import type { RouteKind } from '../core/vocabulary.js';
import { ERROR_CATALOG, type ErrorCode } from '../errors/catalog.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { SseEvent } from '../providers/sse-types.js';
import type { ClientFormat } from './client-format.js';
import { chatFormat } from './chat/chat-format.js';
import { responsesFormat } from './responses/responses-format.js';
import { messagesFormat } from './messages/messages-format.js';
import { embeddingsFormat } from './embeddings/embeddings-format.js';

/** One line per client API. */
const FORMATS: Readonly<Partial<Record<RouteKind, ClientFormat>>> = {
  chat: chatFormat,
  responses: responsesFormat,
  messages: messagesFormat,
  embeddings: embeddingsFormat,
};

/** The format of a model route; undefined for routes that carry no model request (`models`). */
export function clientFormat(route: RouteKind): ClientFormat | undefined {
  return FORMATS[route];
}

/** The in-stream error frame of a gateway error, in the route's client format (the one place it is written). */
export function streamErrorEvent(route: RouteKind, err: Pick<GatewayError, 'code' | 'message' | 'param'>, extra: { requestId?: string; sequenceNumber?: number } = {}): SseEvent {
  const entry = ERROR_CATALOG[err.code as ErrorCode];
  const format = FORMATS[route] ?? chatFormat;
  return format.errorEvent({ code: err.code, message: err.message, param: err.param ?? null, openaiType: entry.openaiType, anthropicType: entry.anthropicType, ...extra });
}
