import { ClientDisconnect } from './client-disconnect.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientApi, ProviderApi, RouteKind, Principal, ModelRequest, PolicyDecision, DlpFinding, TokenUsage } from '../core/vocabulary.js';
import type { GatewayError } from '../errors/gateway-error.js';
import type { BudgetHold, LimitAdmission, RoutePlan, SettleResult } from './stage-results.js';
import type { ClientStream } from './client-stream.js';

function required<T>(value: T | undefined, field: string, stage: string): T {
  if (value === undefined) throw new Error(`ctx.${field} read before stage ${stage} wrote it`);
  return value;
}

/** What the upstream attempt that answered looked like (written by forward). */
export interface UpstreamResult {
  provider: string;
  model: string;
  /** The wire API that provider speaks (differs from the client's when the call was translated). */
  api?: ProviderApi;
  status: number;
  latencyMs: number;
  requestId?: string;
  attempts: number;
}

/**
 * One request's state as it passes the stages. Each stage-owned field is written by exactly
 * one stage; reading it before that stage ran throws (a bug), `peek*` reads it maybe-unset
 * (for settle and audit, which run after failures too).
 */
export class RequestContext {
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly startedAt: number;
  readonly api: ClientApi;
  readonly route: RouteKind;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly ip: string;
  /** Aborted when the client goes away before the response ended. */
  readonly clientAbort = new ClientDisconnect();
  /** Headers every response of this request carries (request ids, limit headers, decision id). */
  readonly responseHeaders: Record<string, string> = {};

  #principal?: Principal;
  #request?: ModelRequest;
  #decision?: PolicyDecision;
  #findings?: DlpFinding[];
  /** Body to forward when a stage (DLP redaction, budget's default cap) rewrote it. */
  forwardBody?: Record<string, unknown>;
  /** `x-workjet-assistant`: the automation acting for the user (written by stage assistant). */
  assistant?: string;
  /** The skill whose system prompt was put first (written by stage skill). */
  skill?: { readonly id: string; readonly name: string };
  usage?: TokenUsage;
  upstream?: UpstreamResult;
  error?: GatewayError;
  /** Final HTTP status sent to the client. */
  status = 0;
  /** True once the client disconnected before the response completed. */
  clientDisconnected = false;
  /**
   * Set by forward for a non-stream answer: the whole response, written by the runner only
   * after settle and audit ran (so a record exists before the client sees a complete answer).
   */
  pendingResponse?: { status: number; headers: Record<string, string>; body: Buffer | string };
  /**
   * Set by forward for a stream: headers and all events but the terminal one(s) were already
   * written; these bytes (e.g. `data: [DONE]`, `message_stop`) are written by the runner after audit.
   */
  heldTail?: Buffer | string;
  /** Completion text captured for `audit.includeContent` (already DLP-redacted). */
  capturedContent?: { prompt?: unknown; completion?: string };
  #plan?: RoutePlan;
  /** Written by limit when a rate limit admitted the request (absent when none applies). */
  admission?: LimitAdmission;
  /** Written by budget when the tenant has a budget (absent otherwise). */
  reservation?: BudgetHold;
  /** Written by settle, once; read by audit. */
  settled?: SettleResult;
  /**
   * Written by settle: what it still writes (the spend commit, the tokens/min correction). The
   * runner waits for it before the answer; the audit record does not, so the two overlap.
   * Never rejects.
   */
  settling?: Promise<void>;

  readonly #client: ClientStream | undefined;

  constructor(init: { requestId: string; api: ClientApi; route: RouteKind; req: IncomingMessage; res: ServerResponse; ip: string; now?: Date; client?: ClientStream }) {
    this.#client = init.client;
    this.requestId = init.requestId;
    this.api = init.api;
    this.route = init.route;
    this.req = init.req;
    this.res = init.res;
    this.ip = init.ip;
    this.receivedAt = init.now ?? new Date();
    this.startedAt = performance.now();
  }

  /** The server's writer of this response (streams go through it, never through `res`). */
  get client(): ClientStream {
    if (!this.#client) throw new Error('ctx.client: the server gave this request no client stream');
    return this.#client;
  }

  get principal(): Principal {
    return required(this.#principal, 'principal', 'identify');
  }
  set principal(value: Principal) {
    this.#principal = value;
  }
  peekPrincipal(): Principal | undefined {
    return this.#principal;
  }

  get request(): ModelRequest {
    return required(this.#request, 'request', 'parse');
  }
  set request(value: ModelRequest) {
    this.#request = value;
  }
  peekRequest(): ModelRequest | undefined {
    return this.#request;
  }

  get decision(): PolicyDecision {
    return required(this.#decision, 'decision', 'authorize');
  }
  set decision(value: PolicyDecision) {
    this.#decision = value;
  }
  peekDecision(): PolicyDecision | undefined {
    return this.#decision;
  }

  get findings(): DlpFinding[] {
    return required(this.#findings, 'findings', 'dlp');
  }
  set findings(value: DlpFinding[]) {
    this.#findings = value;
  }
  peekFindings(): DlpFinding[] | undefined {
    return this.#findings;
  }

  /** The attempts forward tries, written by route. */
  get plan(): RoutePlan {
    return required(this.#plan, 'plan', 'route');
  }
  set plan(value: RoutePlan) {
    this.#plan = value;
  }

  /** Body to send upstream: the rewritten copy if a stage made one, else the parsed body. */
  get outgoingBody(): Readonly<Record<string, unknown>> {
    return this.forwardBody ?? this.request.body;
  }

  /** Copy-on-write access for stages that rewrite the forwarded body. */
  mutableBody(): Record<string, unknown> {
    if (!this.forwardBody) this.forwardBody = structuredClone(this.request.body) as Record<string, unknown>;
    return this.forwardBody;
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }
}
