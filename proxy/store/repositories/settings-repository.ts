import { compileBuiltin, compileCustom } from '../../dlp/compiled-detector.js';
import type { BudgetConfig } from '../../config/schema.js';
import type { BudgetRepository, DlpRepository, LimitsRepository, TenantRepository } from '../tenant-store.js';
import type { DlpSettings } from '../entities.js';
import { dlpToConfig, toBudget, toDlp, toLimits, toTenant } from '../row-mapping.js';
import { assertApiOwned, found, type ScopedRunner } from '../scoped-runner.js';
import type { ScopedDb } from '../scoped-db.js';
import { StoreError } from '../store-error.js';

/** Longest custom pattern accepted (RE2 compiles in linear time, but a huge program still costs every scan). */
export const MAX_CUSTOM_PATTERN_LENGTH = 1024;

async function settingsRow(db: ScopedDb) {
  return found(await db.selectFrom('tenant_settings').selectAll().executeTakeFirst(), 'tenant settings');
}

/** Refuses DLP settings the request path could not compile: unknown detectors, duplicate or clashing names, patterns RE2 rejects. */
export function checkDlpSettings(settings: DlpSettings): void {
  for (const name of Object.keys(settings.detectors)) {
    if (!compileBuiltin(name)) throw new StoreError('invalid', `unknown detector "${name}"`, `detectors.${name}`);
  }
  const names = new Set<string>();
  settings.customPatterns.forEach((custom, i) => {
    if (compileBuiltin(custom.name)) throw new StoreError('invalid', `"${custom.name}" clashes with a built-in detector`, `customPatterns[${i}].name`);
    if (names.has(custom.name)) throw new StoreError('invalid', `duplicate custom pattern name "${custom.name}"`, `customPatterns[${i}].name`);
    names.add(custom.name);
    if (custom.pattern.length > MAX_CUSTOM_PATTERN_LENGTH) throw new StoreError('invalid', `longer than ${MAX_CUSTOM_PATTERN_LENGTH} characters`, `customPatterns[${i}].pattern`);
    try {
      compileCustom(custom.name, custom.pattern);
    } catch (err) {
      throw new StoreError('invalid', `invalid RE2 pattern: ${err instanceof Error ? err.message : String(err)}`, `customPatterns[${i}].pattern`);
    }
  });
}

/** The caller's own tenant row (plan, disabled, source). */
export function createTenantRepository(run: ScopedRunner): TenantRepository {
  return { get: (scope) => run.read(scope, async (db) => toTenant(found(await db.tenant(), 'tenant'))) };
}

/** DLP settings of the scope's tenant, validated (RE2) before they are saved. */
export function createDlpRepository(run: ScopedRunner): DlpRepository {
  return {
    get: (scope) => run.read(scope, async (db) => toDlp(await settingsRow(db))),
    put: (scope, settings) =>
      run.write(scope, async (db) => {
        const before = await settingsRow(db);
        assertApiOwned({ source: before.dlp_source }, 'the DLP settings');
        checkDlpSettings(settings);
        const dlp = JSON.stringify(dlpToConfig(settings));
        await db.updateTable('tenant_settings').set({ dlp }).execute();
        return { before: toDlp(before), after: toDlp({ ...before, dlp }) };
      }),
  };
}

/** Rate limits of the scope's tenant, in the YAML's `rateLimits` shape. */
export function createLimitsRepository(run: ScopedRunner): LimitsRepository {
  return {
    get: (scope) => run.read(scope, async (db) => toLimits(await settingsRow(db))),
    put: (scope, rateLimits) =>
      run.write(scope, async (db) => {
        const before = await settingsRow(db);
        assertApiOwned({ source: before.limits_source }, 'the rate limits');
        const rate_limits = JSON.stringify(rateLimits);
        await db.updateTable('tenant_settings').set({ rate_limits }).execute();
        return { before: toLimits(before), after: toLimits({ ...before, rate_limits }) };
      }),
  };
}

/** The monthly budget of the scope's tenant (`null`: none); defaults filled in on write. */
export function createBudgetRepository(run: ScopedRunner): BudgetRepository {
  return {
    get: (scope) => run.read(scope, async (db) => toBudget(await settingsRow(db))),
    put: (scope, input) =>
      run.write(scope, async (db) => {
        const before = await settingsRow(db);
        assertApiOwned({ source: before.budget_source }, 'the budget');
        const value: BudgetConfig | null =
          input === null ? null : { monthlyUsd: input.monthlyUsd, alertThresholds: [...(input.alertThresholds ?? [50, 80, 100])], defaultMaxTokens: input.defaultMaxTokens ?? 4096 };
        const budget = value === null ? null : JSON.stringify(value);
        await db.updateTable('tenant_settings').set({ budget }).execute();
        return { before: toBudget(before), after: toBudget({ ...before, budget }) };
      }),
  };
}
