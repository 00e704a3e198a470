import { GatewayError } from '../../errors/gateway-error.js';
import type { TenantScope } from '../../identity/tenant-scope.js';
import { clientFormat } from '../../client-apis/client-formats.js';
import type { ResolvedSkill } from '../../skills/skill-cache.js';
import type { Stage } from '../stage.js';

export const SKILL_HEADER = 'x-workjet-skill';

/** What the skill stage needs: the caller's tenant's skills, from memory (skill-cache.ts). */
export interface SkillResolver {
  resolve(scope: TenantScope, id: string): Promise<ResolvedSkill | undefined>;
}

/**
 * skill: with `x-workjet-skill: <skillId>`, puts that skill's system prompt first in the body to
 * forward (chat: a leading system message; Messages: `system`; Responses: `instructions`).
 * Runs after authorize (credential, then policy, then 404, as everywhere) and before dlp,
 * limits and budget, which therefore scan and count the skill's prompt like any other part.
 * Only the caller's tenant's skills resolve: another tenant's skill id, a listing id or an
 * unknown id is 404 `not_found`, with a message that does not repeat the id.
 */
export function createSkillStage(deps: { skills: SkillResolver }): Stage {
  return {
    name: 'skill',
    async run(ctx) {
      const value = ctx.req.headers[SKILL_HEADER];
      if (value === undefined) return;
      if (typeof value !== 'string' || value.length === 0 || value.length > 128) throw new GatewayError('invalid_request', `${SKILL_HEADER} must be one skill id.`, { param: SKILL_HEADER });
      const skill = await deps.skills.resolve(ctx.principal.scope, value);
      if (!skill) throw new GatewayError('not_found', `No skill with that id in your tenant (${SKILL_HEADER}).`, { param: SKILL_HEADER });
      const apply = clientFormat(ctx.route)?.applySystemPrompt;
      if (!apply) throw new GatewayError('invalid_request', `${SKILL_HEADER} applies to chat completions, responses and messages, not ${ctx.route}.`, { param: SKILL_HEADER });
      apply(ctx.mutableBody(), skill.systemPrompt);
      ctx.skill = { id: skill.id, name: skill.name };
    },
  };
}
