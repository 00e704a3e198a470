import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { RequestContext } from '../../proxy/pipeline/context.js';
import type { Stage } from '../../proxy/pipeline/stage.js';
import type { ClientApi, RouteKind } from '../../proxy/core/vocabulary.js';
import { mintTenantScope } from '../../proxy/identity/tenant-scope.js';
import { Secret } from '../../proxy/identity/secret.js';
import { runPipeline } from '../../proxy/server/run-request.js';
import { ResponseClientStream } from '../../proxy/server/response-client-stream.js';
import { GatewayError } from '../../proxy/errors/gateway-error.js';
import { createRouteStage, type RouteTenantRuntime } from '../../proxy/pipeline/stages/route.js';
import { startFakeProvider, type FakeProvider } from '../fake-provider/fake-provider.js';
import { createForwardStage, type ForwardDeps } from '../../proxy/pipeline/stages/forward.js';
import { UpstreamPool, type UpstreamTimeouts } from '../../proxy/providers/upstream-pool.js';
import type { ProviderEndpoint } from '../../proxy/providers/provider-adapter.js';
import type { TierConfig } from '../../proxy/config/schema.js';

/**
 * A minimal gateway for testing route + forward with the real runner (`runPipeline`):
 * a setup stage stands in for identify + parse (principal and target from a static tenant),
 * then the real route and forward stages against real upstream servers.
 */

export interface HarnessProvider {
  readonly type: ProviderEndpoint['type'];
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly timeoutMs?: number;
}

export interface HarnessOptions {
  readonly providers: Record<string, HarnessProvider>;
  readonly tiers: Record<string, { provider: string; model: string; fallbacks?: TierConfig['fallbacks'] }>;
  readonly timeouts?: Partial<UpstreamTimeouts>;
  readonly forward?: Partial<Pick<ForwardDeps, 'captureContent' | 'responseFilter' | 'breakers'>>;
  /** Runs after setup, before route (e.g. to register response transforms). */
  readonly beforeRoute?: (ctx: RequestContext) => void;
  readonly demoChunkDelayMs?: number;
}

export interface Harness {
  readonly url: string;
  /** Every request context, in arrival order (inspect usage, upstream, error after a call). */
  readonly contexts: RequestContext[];
  /** Resolves when the pipeline (incl. finals) of the n-th request finished. */
  done(index: number): Promise<RequestContext>;
  close(): Promise<void>;
}

const ROUTES: Record<string, { route: RouteKind; api: ClientApi }> = {
  '/v1/chat/completions': { route: 'chat', api: 'openai' },
  '/v1/responses': { route: 'responses', api: 'openai' },
  '/v1/embeddings': { route: 'embeddings', api: 'openai' },
  '/v1/messages': { route: 'messages', api: 'anthropic' },
};

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function startForwardHarness(t: Teardown, options: HarnessOptions): Promise<Harness> {
  const providers = new Map<string, ProviderEndpoint>();
  for (const [name, p] of Object.entries(options.providers)) {
    providers.set(name, { name, type: p.type, baseUrl: p.baseUrl, apiKey: p.apiKey === undefined ? undefined : new Secret(p.apiKey), anthropicVersion: '2023-06-01', timeoutMs: p.timeoutMs });
  }
  const tiers: Record<string, TierConfig> = {};
  for (const [name, tier] of Object.entries(options.tiers)) tiers[name] = { provider: tier.provider, model: tier.model, fallbacks: tier.fallbacks ?? [], tags: [] };
  const tenant: RouteTenantRuntime = { providers, config: { tiers } };
  const scope = mintTenantScope('acme');
  const timeouts: UpstreamTimeouts = { connectTimeoutMs: 2000, firstByteTimeoutMs: 5000, idleTimeoutMs: 5000, ...options.timeouts };
  const pool = new UpstreamPool({ timeouts, demo: { chunkDelayMs: options.demoChunkDelayMs ?? 0 } });
  const logger = pino({ level: 'silent' });

  const setup: Stage = {
    name: 'setup',
    async run(ctx) {
      ctx.principal = { type: 'api_key', id: 'key-1', user: 'alice', role: 'member', tenantId: 'acme', plan: 'team', scope };
      const body = await readJson(ctx.req);
      const model = String(body['model']);
      const tier = tiers[model];
      if (!tier) throw new GatewayError('model_not_found', `The model '${model}' does not exist.`);
      const provider = providers.get(tier.provider) as ProviderEndpoint;
      ctx.request = {
        body, rawBytes: 0, model, stream: body['stream'] === true, maxTokens: undefined,
        target: { name: model, kind: 'tier', provider: tier.provider, providerType: provider.type, model: tier.model, tags: [] },
        summary: { messageCount: 1, toolNames: [] },
      };
      options.beforeRoute?.(ctx);
    },
  };
  const stages = [setup, createRouteStage({ registry: { get: () => tenant } }), createForwardStage({ pool, logger, upstream: timeouts, ...options.forward })];
  const contexts: RequestContext[] = [];
  const finished: Promise<RequestContext>[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const entry = ROUTES[(req.url ?? '').split('?')[0] ?? ''];
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    const ctx = new RequestContext({ requestId: `req_h${contexts.length}`, api: entry.api, route: entry.route, req, res, ip: '127.0.0.1', client: new ResponseClientStream(res) });
    ctx.responseHeaders['x-workjet-request-id'] = ctx.requestId;
    contexts.push(ctx);
    res.on('close', () => {
      if (!res.writableFinished) {
        ctx.clientDisconnected = true;
        ctx.clientAbort.abort();
      }
    });
    finished.push(runPipeline(ctx, { stages, finals: [] }, logger).then(() => ctx));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await pool.close();
  };
  t.teardown(close);
  return {
    url,
    contexts,
    async done(index) {
      for (let i = 0; i < 500 && finished[index] === undefined; i++) await new Promise((r) => setTimeout(r, 10));
      return finished[index] as Promise<RequestContext>;
    },
    close,
  };
}

/** The two fake providers and the harness most forward tests share. */
export interface FakeSetup {
  readonly fake: FakeProvider;
  readonly backup: FakeProvider;
  readonly url: string;
  readonly harness: Harness;
}

/**
 * Tenant with `openai` + `anthropic` on one fake provider and `backup` on a second: tier `fast`
 * (openai, falling back per `fastFallbacks`), `spare` (backup) and `smart` (anthropic). `extra`
 * adds providers/tiers or overrides the harness options.
 */
export async function startFakeSetup(t: Teardown, fastFallbacks: TierConfig['fallbacks'], extra: Partial<HarnessOptions> = {}): Promise<FakeSetup> {
  const fake = await startFakeProvider();
  const backup = await startFakeProvider();
  t.teardown(() => fake.close());
  t.teardown(() => backup.close());
  const harness = await startForwardHarness(t, {
    ...extra,
    providers: {
      openai: { type: 'openai', baseUrl: fake.openaiBaseUrl, apiKey: 'sk-tenant-openai' },
      anthropic: { type: 'anthropic', baseUrl: fake.anthropicBaseUrl, apiKey: 'sk-ant-tenant' },
      backup: { type: 'openai', baseUrl: backup.openaiBaseUrl, apiKey: 'sk-tenant-backup' },
      ...extra.providers,
    },
    tiers: {
      fast: { provider: 'openai', model: 'gpt-4o-mini', fallbacks: fastFallbacks },
      spare: { provider: 'backup', model: 'gpt-backup' },
      smart: { provider: 'anthropic', model: 'claude-sonnet' },
      ...extra.tiers,
    },
  });
  return { fake, backup, url: harness.url, harness };
}
