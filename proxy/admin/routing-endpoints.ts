import { z } from 'zod';
import type { TenantStore } from '../store/tenant-store.js';
import type { ProviderRecord, TierRecord } from '../store/entities.js';
import { Secret } from '../identity/secret.js';
import { defineEndpoint, type AdminEndpoint } from './admin-endpoint.js';
import { putProviderBody, putTierBody, providerView, routingView, tierView } from './admin-schemas.js';
import { checkApiBaseUrl } from './base-url-check.js';

function providerJson(p: ProviderRecord): z.output<typeof providerView> {
  return { type: p.type, baseUrl: p.baseUrl, apiKeySet: p.apiKeySet, source: p.source };
}

function tierJson(t: TierRecord): z.output<typeof tierView> {
  return { provider: t.provider, model: t.model, fallbacks: [...t.fallbacks], tags: [...t.tags], source: t.source };
}

async function namedExists<T extends { name: string }>(list: Promise<T[]>, name: string): Promise<{ exists: boolean }> {
  return { exists: (await list).some((e) => e.name === name) };
}

/**
 * `/admin/v1/routing`: the tenant's providers (key write-only: `apiKeySet`) and tiers. A
 * provider's base URL passes the allowlist or the SSRF guard before it is stored.
 */
export function routingEndpoints(store: TenantStore, allowedBaseUrls: readonly string[]): AdminEndpoint[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/routing',
      action: 'routing.read',
      resourceType: 'routing',
      summary: "The tenant's providers (never a key, only apiKeySet) and tiers.",
      answer: routingView,
      answerStatus: 200,
      async handle(call) {
        const [providers, tiers] = await Promise.all([store.providers.list(call.tenant.scope), store.tiers.list(call.tenant.scope)]);
        return {
          status: 200,
          body: {
            providers: Object.fromEntries(providers.map((p) => [p.name, providerJson(p)])),
            tiers: Object.fromEntries(tiers.map((t) => [t.name, tierJson(t)])),
          },
        };
      },
    },
    defineEndpoint({
      method: 'PUT',
      path: '/admin/v1/routing/providers/:name',
      action: 'provider_keys.write',
      resourceType: 'provider',
      summary: 'Create or replace a provider. apiKey is write-only (encrypted at rest under WORKJET_MASTER_KEY); baseUrl must pass the allowlist or the SSRF guard.',
      body: putProviderBody,
      answer: providerView,
      answerStatus: 200,
      async handle(call) {
        const name = call.params['name'] ?? '';
        const { type, baseUrl, apiKey } = call.body;
        if (baseUrl !== undefined) checkApiBaseUrl(baseUrl, allowedBaseUrls);
        const change = await store.providers.put(call.tenant.scope, name, { type, baseUrl: baseUrl ?? null, ...(apiKey === undefined ? {} : { apiKey: new Secret(apiKey) }) });
        const after = change.after && providerJson(change.after);
        return { status: 200, body: after, change: { target: name, before: change.before ? providerJson(change.before) : null, after: after ?? null } };
      },
    }),
    {
      method: 'DELETE',
      path: '/admin/v1/routing/providers/:name',
      action: 'provider_keys.write',
      resourceType: 'provider',
      summary: 'Delete a provider (409 in_use while a tier uses it).',
      answerStatus: 204,
      target: (call) => namedExists(store.providers.list(call.tenant.scope), call.params['name'] ?? ''),
      async handle(call) {
        const name = call.params['name'] ?? '';
        const change = await store.providers.delete(call.tenant.scope, name);
        return { status: 204, change: { target: name, before: change.before ? providerJson(change.before) : null, after: null } };
      },
    },
    defineEndpoint({
      method: 'PUT',
      path: '/admin/v1/routing/tiers/:name',
      action: 'routing.write',
      resourceType: 'tier',
      summary: 'Create or replace a tier: provider, model, fallbacks, tags.',
      body: putTierBody,
      answer: tierView,
      answerStatus: 200,
      async handle(call) {
        const name = call.params['name'] ?? '';
        const change = await store.tiers.put(call.tenant.scope, name, call.body);
        const after = change.after && tierJson(change.after);
        return { status: 200, body: after, change: { target: name, before: change.before ? tierJson(change.before) : null, after: after ?? null } };
      },
    }),
    {
      method: 'DELETE',
      path: '/admin/v1/routing/tiers/:name',
      action: 'routing.write',
      resourceType: 'tier',
      summary: 'Delete a tier (409 in_use while another tier falls back to it).',
      answerStatus: 204,
      target: (call) => namedExists(store.tiers.list(call.tenant.scope), call.params['name'] ?? ''),
      async handle(call) {
        const name = call.params['name'] ?? '';
        const change = await store.tiers.delete(call.tenant.scope, name);
        return { status: 204, change: { target: name, before: change.before ? tierJson(change.before) : null, after: null } };
      },
    },
  ];
}
