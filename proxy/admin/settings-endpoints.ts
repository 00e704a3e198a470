import { z } from 'zod';
import type { TenantStore } from '../store/tenant-store.js';
import type { DlpRecord, LimitsRecord } from '../store/entities.js';
import type { SpendLedger } from '../limits/spend-ledger.js';
import { microToUsd } from '../limits/cost.js';
import { BUILTIN_DETECTORS, BUILTIN_DETECTOR_IDS } from '../dlp/detectors/index.js';
import { compileCustom } from '../dlp/compiled-detector.js';
import { GatewayError } from '../errors/gateway-error.js';
import { defineEndpoint, type AdminEndpoint } from './admin-endpoint.js';
import { budgetView, dlpView, limitsView, putBudgetBody, putDlpBody, putLimitsBody } from './admin-schemas.js';

function dlpJson(d: DlpRecord): z.output<typeof dlpView> {
  return { detectors: { ...d.detectors }, customPatterns: d.customPatterns.map((p) => ({ ...p })), responses: d.responses, source: d.source };
}

function limitsJson(l: LimitsRecord): z.output<typeof limitsView> {
  return { ...l.rateLimits, source: l.source };
}

/**
 * Checks DLP settings the way startup does, before anything is saved: every detector is a
 * built-in, custom names are unique and clash with none, every pattern compiles in RE2 within
 * its size limit and cannot match the empty string. The 400 carries RE2's own reason.
 */
function checkDlp(body: z.output<typeof putDlpBody>): void {
  for (const name of Object.keys(body.detectors)) {
    if (!BUILTIN_DETECTORS.has(name)) throw new GatewayError('invalid_request', `detectors.${name}: unknown detector (known: ${BUILTIN_DETECTOR_IDS.join(', ')})`, { param: `detectors.${name}` });
  }
  const seen = new Set<string>();
  body.customPatterns.forEach((custom, i) => {
    if (BUILTIN_DETECTORS.has(custom.name) || seen.has(custom.name)) throw new GatewayError('invalid_request', `customPatterns[${i}].name: "${custom.name}" is already a detector name`, { param: `customPatterns[${i}].name` });
    seen.add(custom.name);
    try {
      compileCustom(custom.name, custom.pattern);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new GatewayError('invalid_request', `customPatterns[${i}].pattern: invalid RE2 pattern: ${reason}`, { param: `customPatterns[${i}].pattern` });
    }
  });
}

/** `/admin/v1/dlp`, `/admin/v1/limits`, `/admin/v1/budget`: the tenant's singleton settings. */
export function settingsEndpoints(store: TenantStore, ledger: SpendLedger): AdminEndpoint[] {
  return [
    {
      method: 'GET',
      path: '/admin/v1/dlp',
      action: 'dlp.read',
      resourceType: 'dlp',
      summary: "The tenant's DLP detectors, actions and custom RE2 patterns.",
      answer: dlpView,
      answerStatus: 200,
      handle: async (call) => ({ status: 200, body: dlpJson(await store.dlp.get(call.tenant.scope)) }),
    },
    defineEndpoint({
      method: 'PUT',
      path: '/admin/v1/dlp',
      action: 'dlp.write',
      resourceType: 'dlp',
      summary: 'Replace the DLP settings; a pattern RE2 rejects answers 400 with its reason.',
      body: putDlpBody,
      answer: dlpView,
      answerStatus: 200,
      async handle(call) {
        checkDlp(call.body);
        const current = await store.dlp.get(call.tenant.scope);
        const change = await store.dlp.put(call.tenant.scope, { detectors: call.body.detectors, customPatterns: call.body.customPatterns, responses: call.body.responses ?? current.responses });
        const after = change.after && dlpJson(change.after);
        return { status: 200, body: after, change: { target: 'dlp', before: change.before ? dlpJson(change.before) : null, after: after ?? null } };
      },
    }),
    {
      method: 'GET',
      path: '/admin/v1/limits',
      action: 'limits.read',
      resourceType: 'limits',
      summary: "The tenant's rate limits (the YAML rateLimits object).",
      answer: limitsView,
      answerStatus: 200,
      handle: async (call) => ({ status: 200, body: limitsJson(await store.limits.get(call.tenant.scope)) }),
    },
    defineEndpoint({
      method: 'PUT',
      path: '/admin/v1/limits',
      action: 'limits.write',
      resourceType: 'limits',
      summary: 'Replace the rate limits.',
      body: putLimitsBody,
      answer: limitsView,
      answerStatus: 200,
      async handle(call) {
        const change = await store.limits.put(call.tenant.scope, call.body);
        const after = change.after && limitsJson(change.after);
        return { status: 200, body: after, change: { target: 'limits', before: change.before ? limitsJson(change.before) : null, after: after ?? null } };
      },
    }),
    {
      method: 'GET',
      path: '/admin/v1/budget',
      action: 'budget.read',
      resourceType: 'budget',
      summary: 'The monthly cap and alert thresholds, with month-to-date spend.',
      answer: budgetView,
      answerStatus: 200,
      async handle(call) {
        const [record, spend] = await Promise.all([store.budget.get(call.tenant.scope), ledger.read(call.tenant.scope)]);
        return {
          status: 200,
          body: {
            monthlyUsd: record.budget?.monthlyUsd ?? null,
            alertThresholds: record.budget?.alertThresholds ?? [],
            month: spend.month,
            spentUsd: microToUsd(spend.spentMicroUsd),
            reservedUsd: microToUsd(spend.reservedMicroUsd),
            source: record.source,
          },
        };
      },
    },
    defineEndpoint({
      method: 'PUT',
      path: '/admin/v1/budget',
      action: 'budget.write',
      resourceType: 'budget',
      summary: 'Set the monthly cap (USD) and alert thresholds (percent).',
      body: putBudgetBody,
      answer: putBudgetBody.extend({ source: z.enum(['config', 'api']) }),
      answerStatus: 200,
      async handle(call) {
        const change = await store.budget.put(call.tenant.scope, call.body);
        const view = (b: typeof change.before) => (b?.budget ? { monthlyUsd: b.budget.monthlyUsd, alertThresholds: [...b.budget.alertThresholds], source: b.source } : null);
        const after = view(change.after);
        return { status: 200, body: after, change: { target: 'budget', before: view(change.before), after } };
      },
    }),
  ];
}
