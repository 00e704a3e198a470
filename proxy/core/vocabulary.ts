/**
 * The shared vocabulary of a model request (who calls, which API and route, the parsed request,
 * the decision, findings, usage). Ground floor: it imports only config/, identity/ and errors/,
 * so every floor above — domain libraries and the pipeline alike — can speak it.
 */
import type { Role, ProviderType, DlpAction } from '../config/schema.js';
import type { TenantScope } from '../identity/tenant-scope.js';
import type { ClientApi } from '../errors/render.js';

export type { ClientApi };

/** The wire APIs providers speak (a client speaks the first two). */
export type ProviderApi = ClientApi | 'gemini';

/** Which drop-in endpoint a request hit. */
export type RouteKind = 'chat' | 'responses' | 'embeddings' | 'messages' | 'models';

/** Who is calling, resolved by identify from the credential alone. */
export interface Principal {
  readonly type: 'api_key' | 'session';
  /** Key id for API keys, `session:<jti or sub>` for sessions. */
  readonly id: string;
  readonly user: string;
  readonly role: Role;
  readonly tenantId: string;
  readonly plan: string;
  readonly scope: TenantScope;
}

/** A tier (or direct model) the request named, resolved against the caller's tenant only. */
export interface ModelTarget {
  /** Tier name, or `provider/model` for a direct model. */
  readonly name: string;
  readonly kind: 'tier' | 'direct';
  readonly provider: string;
  readonly providerType: ProviderType;
  readonly model: string;
  readonly tags: readonly string[];
}

/** The parsed client request. The body object is never mutated after parse; stages that rewrite keep their own copy. */
export interface ModelRequest {
  readonly body: Readonly<Record<string, unknown>>;
  readonly rawBytes: number;
  readonly model: string;
  readonly stream: boolean;
  /** Client-requested output cap (`max_tokens`, `max_completion_tokens`, `max_output_tokens`). */
  readonly maxTokens: number | undefined;
  readonly target: ModelTarget;
  /** Summary for the policy input: never prompt text. */
  readonly summary: { readonly messageCount: number; readonly toolNames: readonly string[] };
}

export interface PolicyDecision {
  readonly id: string;
  readonly allow: boolean;
  readonly reasons: readonly string[];
  /** True when the tenant runs the policy in dry-run and this decision would have denied. */
  readonly wouldDeny: boolean;
}

export interface DlpFinding {
  readonly detector: string;
  readonly count: number;
  readonly action: DlpAction;
  /** Where it was found: `request` or `response`. */
  readonly direction: 'request' | 'response';
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens?: number;
  /** True when the numbers are an estimate (e.g. the stream ended before usage arrived). */
  readonly estimated?: boolean;
}
