import type { ClientApi, RouteKind } from '../core/vocabulary.js';

export interface ModelRoute {
  readonly api: ClientApi;
  readonly kind: RouteKind;
  readonly method: 'GET' | 'POST';
}

/** The drop-in routes. `/v1/v1/messages` serves Anthropic SDKs whose base URL already ends in `/v1`. */
export const MODEL_ROUTES: ReadonlyMap<string, ModelRoute> = new Map([
  ['/v1/chat/completions', { api: 'openai', kind: 'chat', method: 'POST' }],
  ['/v1/responses', { api: 'openai', kind: 'responses', method: 'POST' }],
  ['/v1/embeddings', { api: 'openai', kind: 'embeddings', method: 'POST' }],
  ['/v1/models', { api: 'openai', kind: 'models', method: 'GET' }],
  ['/v1/messages', { api: 'anthropic', kind: 'messages', method: 'POST' }],
  ['/v1/v1/messages', { api: 'anthropic', kind: 'messages', method: 'POST' }],
]);

/** Path without query string, without a trailing slash. */
export function routePath(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return path;
}
