import type { RouteKind } from '../../core/vocabulary.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { BuildRequestInput, ProviderAdapter, UpstreamRequest } from '../provider-adapter.js';
import { openAiAdapter } from '../openai/openai-adapter.js';

/** A GA `api-version` of classic deployment URLs (WIRE.md §8), used when the provider sets none. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

const DEPLOYMENT_PATHS: Partial<Record<RouteKind, string>> = { chat: '/chat/completions', embeddings: '/embeddings' };

/**
 * Azure OpenAI (WIRE.md §8): the OpenAI wire format with what differs declared here — the
 * key in an `api-key` header (not `Authorization`), and on classic resources the tier's model
 * is the deployment, in the path, with `?api-version=` (the base URL's own `?api-version=…`, else
 * {@link DEFAULT_AZURE_API_VERSION}). A base URL ending in `/openai/v1` is
 * Azure's v1 API: plain OpenAI paths, the model in the body, no `api-version`.
 */
export const azureOpenAiAdapter: ProviderAdapter = {
  ...openAiAdapter,

  supports(route: RouteKind): boolean {
    return route === 'chat' || route === 'embeddings' || route === 'responses';
  },

  buildRequest(input: BuildRequestInput): UpstreamRequest {
    const built = openAiAdapter.buildRequest(input);
    const { authorization: _dropped, ...headers } = built.headers;
    const key = input.endpoint.apiKey;
    if (key !== undefined) headers['api-key'] = key.reveal();
    const base = new URL(input.baseUrl);
    let root = base.pathname.endsWith('/') ? base.pathname.slice(0, -1) : base.pathname;
    if (root.endsWith('/openai/v1')) return { ...built, headers };
    if (root.endsWith('/openai')) root = root.slice(0, -7);
    const version = encodeURIComponent(base.searchParams.get('api-version') ?? DEFAULT_AZURE_API_VERSION);
    const deploymentPath = DEPLOYMENT_PATHS[input.route];
    let path: string;
    if (deploymentPath !== undefined) path = `${root}/openai/deployments/${encodeURIComponent(input.model)}${deploymentPath}?api-version=${version}`;
    else if (input.route === 'responses') path = `${root}/openai/responses?api-version=${version}`;
    else throw new GatewayError('invalid_request', `Provider '${input.endpoint.name}' does not serve this endpoint.`);
    return { ...built, origin: base.origin, path, headers };
  },
};
