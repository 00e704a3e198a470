import { z } from 'zod';

/**
 * A total, lenient view of the fields the reference checks read. Parsing it never fails: a
 * value of the wrong shape becomes `undefined` (fields), `null` (list items and map entries,
 * so indexes keep matching the YAML) or empty. That lets the reference checks run even when
 * the structural pass found errors, so one run reports every mistake in the file; the
 * structural errors themselves come from the real schema.
 */
const text = z.string().optional().catch(undefined);
// Only whether a value is there matters (undefined and null both mean absent).
const present = z.unknown().optional();

function list<T extends z.ZodType>(item: T) {
  return z.array(item.nullable().catch(null)).optional().catch(undefined).transform((items) => items ?? []);
}

function dict<T extends z.ZodType>(item: T) {
  return z.record(z.string(), item.nullable().catch(null)).optional().catch(undefined).transform((items) => items ?? {});
}

const providerView = z.object({ type: text, apiKey: text, baseUrl: text });
const fallbackView = z.union([z.string(), z.object({ provider: text, model: text })]);
const tierView = z.object({ provider: text, model: text, fallbacks: list(fallbackView) });

const tenantView = z.object({
  id: text,
  providers: dict(providerView),
  tiers: dict(tierView),
  users: list(z.object({ id: text })),
  apiKeys: list(z.object({ id: text, user: text, sha256: text })),
  dlp: z.object({ detectors: dict(z.unknown()), custom: list(z.object({ name: text, pattern: text })) }).optional().catch(undefined),
  budget: present,
});

export const referenceViewSchema = z.object({
  upstream: z.object({ allowedBaseUrls: list(z.string()) }).optional().catch(undefined),
  auth: z.object({ jwt: z.object({ secret: text, jwksFile: present, jwksUrl: present }).optional().catch(undefined) }).optional().catch(undefined),
  audit: z.object({ sink: text, s3: present }).optional().catch(undefined),
  dedicatedTenant: text,
  pricing: dict(z.unknown()),
  tenants: list(tenantView),
});

export type ReferenceView = z.output<typeof referenceViewSchema>;
export type TenantView = z.output<typeof tenantView>;

/** Reads the reference view of any value (a non-object yields an empty view). */
export function toReferenceView(raw: unknown): ReferenceView {
  const parsed = referenceViewSchema.safeParse(raw);
  return parsed.success ? parsed.data : referenceViewSchema.parse({});
}
