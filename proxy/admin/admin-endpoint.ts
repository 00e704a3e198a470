import type { Principal } from '../core/vocabulary.js';
import type { TenantRuntime } from '../tenants/tenant-registry.js';

/** What an admin handler gets: the caller, its own tenant (never another), path params and query. */
export interface AdminCall {
  readonly principal: Principal;
  readonly tenant: TenantRuntime;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

export interface AdminResult {
  readonly status: number;
  readonly body: unknown;
}

/** One admin API endpoint: its route, the policy action guarding it, and the handler. */
export interface AdminEndpoint {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. `/admin/v1/audit/:logId` */
  readonly path: string;
  readonly action: string;
  readonly resourceType: string;
  handle(call: AdminCall): Promise<AdminResult> | AdminResult;
}

/** Matches `path` against an endpoint pattern; returns the captured params or undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g.length === 0) return undefined;
      const value = decodeSegment(g);
      // Malformed percent-encoding names no resource: no match (404), not a crash (500).
      if (value === undefined) return undefined;
      params[w.slice(1)] = value;
    } else if (w !== g) return undefined;
  }
  return params;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
