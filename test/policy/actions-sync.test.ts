// proxy/policy/actions.ts and policies/data.json name the same actions, in the same order.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_ACTIONS, isPolicyAction } from '../../proxy/policy/actions.js';
import { POLICIES_DIR } from './policy-fixtures.js';

const data = JSON.parse(readFileSync(join(POLICIES_DIR, 'data.json'), 'utf8')) as {
  actions: string[];
  roles: Record<string, { includes: string[]; grants: string[] }>;
};

t.same(data.actions, [...POLICY_ACTIONS], 'data.json actions == POLICY_ACTIONS');
t.equal(new Set(POLICY_ACTIONS).size, POLICY_ACTIONS.length, 'no duplicates');
t.same(Object.keys(data.roles).sort(), ['admin', 'member', 'owner'], 'the roles of the config schema');
for (const [role, { grants, includes }] of Object.entries(data.roles)) {
  t.same(grants.filter((a) => !isPolicyAction(a)), [], `${role} grants only known actions`);
  t.same(includes.filter((r) => !(r in data.roles)), [], `${role} includes only known roles`);
}
const granted = new Set(Object.values(data.roles).flatMap((r) => r.grants));
t.same(POLICY_ACTIONS.filter((a) => !granted.has(a)), [], 'every action is granted to some role');
t.equal(isPolicyAction('keys.delete_all'), false);
