import type { JsonObject } from '../providers/json-fields.js';
import { untranslatable } from './translation-error.js';

/**
 * The one rule every pair applies to fields it does not map: a field with a value the target
 * cannot honour is refused (400 naming it), never silently dropped; absent, null and `false`
 * pass, and so do the fields the pair maps or knows to be meaningless for the target.
 */
export function refuseUnmapped(body: Readonly<JsonObject>, handled: ReadonlySet<string>, target: string, why?: (field: string) => string | undefined): void {
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined || value === null || value === false || handled.has(field)) continue;
    throw untranslatable(field, why?.(field) ?? `${target} has no equivalent.`);
  }
}
