import { GatewayError } from '../errors/gateway-error.js';
import type { TenantStore } from '../store/tenant-store.js';
import type { AdminCall, AdminEndpoint, AdminTarget } from './admin-endpoint.js';
import { listingPageView, skillView } from './skill-schemas.js';
import { toSkillView } from './skill-endpoints.js';
import { findOrUndefined } from './target-lookup.js';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const MAX_QUERY_CHARS = 200;

function limitOf(query: URLSearchParams): number {
  const text = query.get('limit');
  if (text === null) return DEFAULT_LIMIT;
  const n = text.length <= 3 && [...text].every((c) => c >= '0' && c <= '9') ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw new GatewayError('invalid_request', `limit must be an integer from 1 to ${MAX_LIMIT}.`, { param: 'limit' });
  return n;
}

async function listingTarget(store: TenantStore, call: AdminCall): Promise<AdminTarget> {
  const id = call.params['listingId'] ?? '';
  return { exists: (await findOrUndefined(store.marketplace.get(call.tenant.scope, id))) !== undefined, id };
}

/**
 * `/admin/v1/marketplace/skills`: every tenant's published skill metadata, and installing an
 * independent copy. Answers carry listing ids and metadata only; errors never echo an id.
 */
export function marketplaceEndpoints(store: TenantStore): AdminEndpoint[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/marketplace/skills',
      action: 'marketplace.browse',
      resourceType: 'listing',
      summary: 'Published skills, newest first; `q` matches name or description (case-insensitive); `limit` (1-100, default 20) and `cursor` page.',
      queryParams: ['q', 'limit', 'cursor'],
      answer: listingPageView,
      answerStatus: 200,
      async handle(call) {
        const q = call.query.get('q') ?? undefined;
        if (q !== undefined && q.length > MAX_QUERY_CHARS) throw new GatewayError('invalid_request', `q must be at most ${MAX_QUERY_CHARS} characters.`, { param: 'q' });
        const page = await store.marketplace.search(call.tenant.scope, { q, limit: limitOf(call.query), cursor: call.query.get('cursor') ?? undefined });
        return { status: 200, body: { data: page.data, next_cursor: page.nextCursor, has_more: page.nextCursor !== null } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/marketplace/skills/:listingId/install',
      action: 'marketplace.install',
      resourceType: 'listing',
      summary: "Install a published skill: an independent copy in the caller's tenant (`installedFrom`: the listing id).",
      answer: skillView,
      answerStatus: 201,
      target: (call) => listingTarget(store, call),
      async handle(call) {
        const skill = await store.marketplace.install(call.tenant.scope, call.params['listingId'] ?? '', call.principal.user);
        const view = toSkillView(skill);
        return { status: 201, body: view, change: { target: skill.id, before: null, after: { id: skill.id, name: skill.name, installedFrom: skill.installedFrom } } };
      },
    },
  ];
}
