import { z } from 'zod';
import { adminSchemas } from './admin-schemas.js';

/** Bodies and answers of the skills and marketplace routes (validation and OpenAPI, as admin-schemas.ts). */

export const MAX_SYSTEM_PROMPT_CHARS = 32_768;

const name = z.string().trim().min(1).max(128);
const description = z.string().max(2000);
const systemPrompt = z.string().min(1).max(MAX_SYSTEM_PROMPT_CHARS);
const isoTime = z.iso.datetime({ offset: true });

export const createSkillBody = z.strictObject({ name, description, systemPrompt }).register(adminSchemas, { id: 'CreateSkillBody' });

export const patchSkillBody = z
  .strictObject({ name: name.optional(), description: description.optional(), systemPrompt: systemPrompt.optional() })
  .refine((b) => b.name !== undefined || b.description !== undefined || b.systemPrompt !== undefined, { message: 'at least one of name, description, systemPrompt' })
  .register(adminSchemas, { id: 'PatchSkillBody' });

export const skillView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    systemPrompt: z.string(),
    published: z.boolean().describe('True while a marketplace listing of it exists.'),
    installedFrom: z.string().optional().describe('The listing id this independent copy was installed from.'),
    createdBy: z.string().nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
    source: z.literal('api'),
  })
  .register(adminSchemas, { id: 'Skill' });

export const publishedView = z.object({ listingId: z.string() }).register(adminSchemas, { id: 'Published' });

export const listingView = z
  .object({ listingId: z.string(), name: z.string(), description: z.string(), systemPrompt: z.string(), publishedAt: isoTime })
  .register(adminSchemas, { id: 'Listing', description: 'Published metadata only: no tenant, user or skill id.' });

export const listingPageView = z
  .object({ data: z.array(listingView), next_cursor: z.string().nullable(), has_more: z.boolean() })
  .register(adminSchemas, { id: 'ListingPage' });
