import { GatewayError } from '../../errors/gateway-error.js';
import { readBody } from '../../json/read-body.js';
import { exceedsJsonDepth } from '../../json/nesting-depth.js';
import { callShape } from '../../translate/call-shape.js';
import { clientFormat } from '../../client-apis/client-formats.js';
import type { Stage } from '../stage.js';
import type { RequestContext } from '../context.js';
import type { ClientApi, ModelTarget, RouteKind } from '../../core/vocabulary.js';
import type { TenantRegistry, TenantRuntime } from '../../tenants/tenant-registry.js';

function bad(message: string, param: string | null = null): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

/** Tier of the caller's tenant, or `provider/model` naming one of its providers (the policy decides if direct models are allowed). */
export function resolveModel(tenant: TenantRuntime, model: string): ModelTarget | undefined {
  const tier = tenant.tiers.get(model);
  if (tier) return tier;
  const slash = model.indexOf('/');
  if (slash <= 0 || slash === model.length - 1) return undefined;
  const provider = tenant.providers.get(model.slice(0, slash));
  if (!provider) return undefined;
  return { name: model, kind: 'direct', provider: provider.name, providerType: provider.type, model: model.slice(slash + 1), tags: [] };
}

function servesApi(target: ModelTarget, api: ClientApi, route: RouteKind): boolean {
  return callShape(target.providerType, api, route) !== undefined;
}

function summarize(route: RouteKind, body: Record<string, unknown>): { messageCount: number; toolNames: string[] } {
  const list = body[clientFormat(route)?.conversation ?? 'messages'];
  const tools = Array.isArray(body['tools']) ? body['tools'] : [];
  const toolNames: string[] = [];
  for (const tool of tools) {
    if (tool && typeof tool === 'object') {
      const t = tool as Record<string, unknown>;
      const fn = t['function'] as Record<string, unknown> | undefined;
      const name = fn?.['name'] ?? t['name'];
      if (typeof name === 'string') toolNames.push(name);
    }
  }
  return { messageCount: Array.isArray(list) ? list.length : 1, toolNames };
}

/** Stage `parse`: reads and validates the JSON body (size, nesting depth, shape) and resolves `model` within the caller's tenant. */
export function createParseStage(deps: { registry: TenantRegistry; maxBodyBytes: number; maxJsonDepth: number }): Stage {
  return {
    name: 'parse',
    async run(ctx: RequestContext) {
      const raw = await readBody(ctx.req, deps.maxBodyBytes);
      const text = raw.toString('utf8');
      // Before parsing: every later walk over the body is bounded by this depth, not by V8's stack.
      if (exceedsJsonDepth(text, deps.maxJsonDepth)) throw bad(`The request body nests objects and arrays deeper than the gateway limit of ${deps.maxJsonDepth} levels.`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw bad('The request body is not valid JSON.');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('The request body must be a JSON object.');
      const obj = body as Record<string, unknown>;
      const model = obj['model'];
      if (typeof model !== 'string' || model.length === 0) throw bad("'model' is required and must be a string.", 'model');
      const stream = obj['stream'];
      if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw bad("'stream' must be a boolean.", 'stream');
      const maxTokens = clientFormat(ctx.route)?.validate(obj);
      const tenant = deps.registry.get(ctx.principal.scope);
      const target = resolveModel(tenant, model);
      if (!target) throw new GatewayError('model_not_found', `The model '${model}' does not exist or you do not have access to it.`, { param: 'model' });
      if (!servesApi(target, ctx.api, ctx.route)) {
        throw bad(`The model '${model}' is served by an ${target.providerType} provider, which cannot serve this endpoint (no translation for this pair).`, 'model');
      }
      ctx.request = { body: obj, rawBytes: raw.length, model, stream: stream === true, maxTokens, target, summary: summarize(ctx.route, obj) };
    },
  };
}
