import type { z } from 'zod';
import type { Principal } from '../core/vocabulary.js';
import type { TenantRuntime } from '../tenants/tenant-registry.js';
import type { PolicyAction } from '../policy/actions.js';
import type { PolicyResource } from '../policy/policy-input.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { AdminChange } from '../audit/admin-action.js';

/** What every admin handler gets: the caller, its own tenant (never another), path params and query. */
export interface AdminCall {
  readonly principal: Principal;
  readonly tenant: TenantRuntime;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The request body as parsed JSON (undefined when there is none); validated by the endpoint. */
  readonly rawBody: unknown;
}

/** An admin call whose body passed the endpoint's schema. */
export interface ValidatedCall<B> extends AdminCall {
  readonly body: B;
}

export interface AdminResult {
  readonly status: number;
  /** JSON body; undefined for 204. */
  readonly body?: unknown;
  readonly change?: AdminChange;
}

/**
 * What the policy must know about the target before it decides, and whether it exists in the
 * caller's tenant. The router asks the policy first (403) and answers 404 only after it, so a
 * member learns nothing about which ids exist.
 */
export interface AdminTarget {
  readonly exists: boolean;
  /** The resource id the policy sees (default: the first path param, else the tenant id). */
  readonly id?: string;
  /** Extra policy input about the resource (users.write: `role`, `new_role`, `owner_count`). */
  readonly facts?: Omit<Partial<PolicyResource>, 'tenant' | 'type' | 'id'>;
}

/** One admin API endpoint: route, policy action, schemas (for validation and OpenAPI) and handler. */
export interface AdminEndpoint {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. `/admin/v1/keys/:id` */
  readonly path: string;
  readonly action: PolicyAction;
  readonly resourceType: string;
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /** The body schema (validated after the policy and the 404 check). */
  readonly body?: z.ZodType;
  /** The success answer's schema and status (OpenAPI). */
  readonly answer?: z.ZodType;
  readonly answerStatus: number;
  /** Query parameters the endpoint reads (OpenAPI). */
  readonly queryParams?: readonly string[];
  target?(call: AdminCall): Promise<AdminTarget> | AdminTarget;
  handle(call: AdminCall): Promise<AdminResult> | AdminResult;
}

/** The 400 for a body that fails its schema: the first issue, `param` naming the field (`fallbacks[1]`). */
export function invalidBody(error: z.ZodError): GatewayError {
  const issue = error.issues[0];
  if (!issue) return new GatewayError('invalid_request', 'Invalid request body.');
  let path = issue.path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
  // An unknown field: name the field itself, not its parent object.
  if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path = path ? `${path}.${issue.keys[0]}` : issue.keys[0];
  const message = path ? `${path}: ${issue.message}` : issue.message;
  return new GatewayError('invalid_request', message, { param: path || null });
}

/**
 * Declares an endpoint whose handler receives the body already validated by `body`: the
 * schema that validates is the schema the OpenAPI document shows.
 */
export function defineEndpoint<S extends z.ZodType>(
  spec: Omit<AdminEndpoint, 'handle' | 'body'> & { body: S; handle(call: ValidatedCall<z.output<S>>): Promise<AdminResult> | AdminResult },
): AdminEndpoint {
  const { handle, body, ...rest } = spec;
  return {
    ...rest,
    body,
    handle(call) {
      if (call.rawBody === undefined) throw new GatewayError('invalid_request', 'A JSON body is required.');
      const parsed = body.safeParse(call.rawBody);
      if (!parsed.success) throw invalidBody(parsed.error);
      return handle({ ...call, body: parsed.data });
    },
  };
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
