/**
 * Every action the policy authorizes. `policies/data.json` (`actions`, and the role grants)
 * uses exactly these names; `test/policy/actions-sync.test.ts` keeps the two in sync.
 * One action per capability, `<area>.<verb>`: model calls, skills and the marketplace for every
 * member; the admin API's areas for admins; budget, provider keys and owner roles for owners.
 */
export const POLICY_ACTIONS = [
  'model.invoke',
  'model.list',
  'skills.read',
  'skills.write',
  'marketplace.browse',
  'marketplace.install',
  'keys.read',
  'keys.write',
  'users.read',
  'users.write',
  'routing.read',
  'routing.write',
  'dlp.read',
  'dlp.write',
  'limits.read',
  'limits.write',
  'usage.read',
  'audit.read',
  'skills.publish',
  'budget.read',
  'budget.write',
  'provider_keys.write',
  'roles.owner.write',
] as const;

export type PolicyAction = (typeof POLICY_ACTIONS)[number];

const known: ReadonlySet<string> = new Set(POLICY_ACTIONS);

/** True when `value` names one of the policy's actions. */
export function isPolicyAction(value: string): value is PolicyAction {
  return known.has(value);
}
