import { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.js';
import { checkPublishable } from '../skills/publish-check.js';
import type { SkillRecord } from '../store/skill-entities.js';
import type { TenantStore } from '../store/tenant-store.js';
import { defineEndpoint, type AdminCall, type AdminEndpoint, type AdminTarget } from './admin-endpoint.js';
import { createSkillBody, patchSkillBody, publishedView, skillView } from './skill-schemas.js';
import { findOrUndefined } from './target-lookup.js';

/** The admin API's view of a skill. */
export function toSkillView(skill: SkillRecord) {
  return {
    id: skill.id,
    name: skill.name,
    description: skill.description,
    systemPrompt: skill.systemPrompt,
    published: skill.published,
    ...(skill.installedFrom === null ? {} : { installedFrom: skill.installedFrom }),
    createdBy: skill.createdBy,
    createdAt: skill.createdAt,
    updatedAt: skill.updatedAt,
    source: 'api' as const,
  };
}

/** What the audit record keeps of a skill: its metadata, not the prompt text (only its length). */
function auditView(skill: SkillRecord | undefined) {
  if (!skill) return null;
  return { id: skill.id, name: skill.name, published: skill.published, installedFrom: skill.installedFrom, createdBy: skill.createdBy, systemPromptChars: skill.systemPrompt.length };
}

/**
 * The target skill in the caller's tenant, with what policies/skills.rego needs: `owner` (the
 * user who created it; members change only their own) and `published`. A skill with no
 * creator is owned by nobody a member could be.
 */
async function skillTarget(store: TenantStore, call: AdminCall): Promise<AdminTarget> {
  const id = call.params['id'] ?? '';
  const skill = await findOrUndefined(store.skills.get(call.tenant.scope, id));
  if (!skill) return { exists: false, id };
  return { exists: true, id, facts: { owner: skill.createdBy ?? '', published: skill.published } };
}

/** `/admin/v1/skills`: a tenant's named system prompts; publishing puts a metadata copy on the marketplace. */
export function skillEndpoints(store: TenantStore): AdminEndpoint[] {
  const target = (call: AdminCall) => skillTarget(store, call);
  const id = (call: AdminCall) => call.params['id'] ?? '';
  return [
    {
      method: 'GET',
      path: '/admin/v1/skills',
      action: 'skills.read',
      resourceType: 'skill',
      summary: "List the tenant's skills.",
      answer: z.object({ data: z.array(skillView) }),
      answerStatus: 200,
      handle: async (call) => ({ status: 200, body: { data: (await store.skills.list(call.tenant.scope)).map(toSkillView) } }),
    },
    defineEndpoint({
      method: 'POST',
      path: '/admin/v1/skills',
      action: 'skills.write',
      resourceType: 'skill',
      summary: 'Create a skill (owned by the caller).',
      body: createSkillBody,
      answer: skillView,
      answerStatus: 201,
      async handle(call) {
        const skill = await store.skills.create(call.tenant.scope, { ...call.body, createdBy: call.principal.user });
        return { status: 201, body: toSkillView(skill), change: { target: skill.id, before: null, after: auditView(skill) } };
      },
    }),
    {
      method: 'GET',
      path: '/admin/v1/skills/:id',
      action: 'skills.read',
      resourceType: 'skill',
      summary: 'One skill of the tenant.',
      answer: skillView,
      answerStatus: 200,
      target,
      handle: async (call) => ({ status: 200, body: toSkillView(await store.skills.get(call.tenant.scope, id(call))) }),
    },
    defineEndpoint({
      method: 'PATCH',
      path: '/admin/v1/skills/:id',
      action: 'skills.write',
      resourceType: 'skill',
      summary: 'Change a skill (members: only their own). Its listing keeps what was published until it is published again.',
      body: patchSkillBody,
      answer: skillView,
      answerStatus: 200,
      target,
      async handle(call) {
        const change = await store.skills.update(call.tenant.scope, id(call), call.body);
        return { status: 200, body: change.after && toSkillView(change.after), change: { target: id(call), before: auditView(change.before), after: auditView(change.after) } };
      },
    }),
    {
      method: 'DELETE',
      path: '/admin/v1/skills/:id',
      action: 'skills.write',
      resourceType: 'skill',
      summary: 'Delete a skill (members: only their own); its listing goes with it, installed copies stay.',
      answerStatus: 204,
      target,
      async handle(call) {
        const change = await store.skills.delete(call.tenant.scope, id(call));
        return { status: 204, change: { target: id(call), before: auditView(change.before), after: null } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/skills/:id/publish',
      action: 'skills.publish',
      resourceType: 'skill',
      summary: "Publish the skill's metadata (name, description, system prompt) to the marketplace; the prompt must pass the tenant's DLP and the secret detectors.",
      answer: publishedView,
      answerStatus: 200,
      target,
      async handle(call) {
        const scope = call.tenant.scope;
        const skill = await store.skills.get(scope, id(call));
        const check = checkPublishable(call.tenant.dlp, skill.systemPrompt);
        if (!check.ok) throw new GatewayError('dlp_blocked', `The system prompt cannot be published: data loss prevention matched ${check.blockedBy.join(', ')}`);
        const published = await store.skills.publish(scope, skill.id, { name: skill.name, description: skill.description, systemPrompt: check.systemPrompt });
        return { status: 200, body: { listingId: published.listingId }, change: { target: skill.id, before: auditView(published.change.before), after: { ...auditView(published.change.after), listingId: published.listingId } } };
      },
    },
    {
      method: 'POST',
      path: '/admin/v1/skills/:id/unpublish',
      action: 'skills.publish',
      resourceType: 'skill',
      summary: 'Remove the listing at once; installed copies stay.',
      answerStatus: 204,
      target,
      async handle(call) {
        const change = await store.skills.unpublish(call.tenant.scope, id(call));
        return { status: 204, change: { target: id(call), before: auditView(change.before), after: auditView(change.after) } };
      },
    },
  ];
}
