import type { ProviderType } from '../config/schema.js';
import type { ClientApi, RouteKind } from '../core/vocabulary.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { adapterFor } from '../providers/adapter-for.js';
import type { Translator } from './translator.js';
import { translatorFor } from './translators.js';

/**
 * How one provider serves one client route: natively (`translator` undefined: the bytes pass
 * through as today) or through the pair's translator, to the adapter's own route.
 */
export interface CallShape {
  readonly adapter: ProviderAdapter;
  /** The route the provider adapter builds the upstream request for. */
  readonly upstreamRoute: RouteKind;
  readonly translator: Translator | undefined;
  /** The adapter that reads the client's own format (the same as `adapter` when native). */
  readonly client: ProviderAdapter;
}

/** The call shape for a provider type and a client route, or undefined when no pair serves it. */
export function callShape(type: ProviderType, api: ClientApi, route: RouteKind): CallShape | undefined {
  const adapter = adapterFor(type, route);
  if (adapter.api === api) return adapter.supports(route) ? { adapter, upstreamRoute: route, translator: undefined, client: adapter } : undefined;
  const translator = translatorFor(route, adapter.api);
  if (!translator) return undefined;
  const upstream = adapterFor(type, translator.upstreamRoute);
  if (!upstream.supports(translator.upstreamRoute)) return undefined;
  return { adapter: upstream, upstreamRoute: translator.upstreamRoute, translator, client: adapterFor(api, route) };
}
