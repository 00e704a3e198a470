import { randomBytes } from 'node:crypto';
import { sql, type SqlBool } from 'kysely';
import type { SkillsTable } from '../db-types.js';
import type { Change } from '../entities.js';
import type { ListingPage, ListingQuery, ListingRecord, SkillInput, SkillRecord } from '../skill-entities.js';
import type { MarketplaceRepository, SkillRepository } from '../tenant-store.js';
import { found, nowIso, type ScopedRunner } from '../scoped-runner.js';
import type { ScopedDb } from '../scoped-db.js';
import { StoreError } from '../store-error.js';

/** Ids are not secret but unguessable, so an id says nothing about other tenants' skills. */
function newId(prefix: 'skl' | 'lst'): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}

function toSkill(row: SkillsTable, published: boolean): SkillRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    systemPrompt: row.system_prompt,
    published,
    installedFrom: row.installed_from,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

// Messages never echo an id: a 404 must not confirm or repeat what the caller guessed.
const SKILL = 'skill';

async function skillRow(db: ScopedDb, id: string): Promise<SkillsTable | undefined> {
  return db.selectFrom('skills').selectAll().where('id', '=', id).executeTakeFirst();
}

async function isPublished(db: ScopedDb, skillId: string): Promise<boolean> {
  return (await db.ownListings().where('skill_id', '=', skillId).executeTakeFirst()) !== undefined;
}

/** The skills of the scope's tenant; publishing writes only this tenant's own listing rows. */
export function createSkillRepository(run: ScopedRunner): SkillRepository {
  return {
    list: (scope) =>
      run.read(scope, async (db) => {
        const [rows, listings] = await Promise.all([db.selectFrom('skills').selectAll().orderBy('created_at').orderBy('id').execute(), db.ownListings().execute()]);
        const published = new Set(listings.map((l) => l.skill_id));
        return rows.map((row) => toSkill(row, published.has(row.id)));
      }),
    get: (scope, id) => run.read(scope, async (db) => toSkill(found(await skillRow(db, id), SKILL), await isPublished(db, id))),
    create: (scope, input) =>
      run.write(scope, async (db) => {
        const now = nowIso();
        const row = { id: newId('skl'), name: input.name, description: input.description, system_prompt: input.systemPrompt, created_by: input.createdBy, installed_from: null, created_at: now, updated_at: now };
        await db.insertInto('skills', [row]).execute();
        return toSkill({ ...row, tenant_id: db.tenantId }, false);
      }),
    update: (scope, id, patch) =>
      run.write(scope, async (db): Promise<Change<SkillRecord>> => {
        const before = found(await skillRow(db, id), SKILL);
        const set = {
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.description === undefined ? {} : { description: patch.description }),
          ...(patch.systemPrompt === undefined ? {} : { system_prompt: patch.systemPrompt }),
          updated_at: nowIso(),
        };
        await db.updateTable('skills').set(set).where('id', '=', id).execute();
        // The listing is the copy published at publish time: an edit reaches it only by publishing again.
        const published = await isPublished(db, id);
        return { before: toSkill(before, published), after: toSkill({ ...before, ...set }, published) };
      }),
    delete: (scope, id) =>
      run.write(scope, async (db): Promise<Change<SkillRecord>> => {
        const before = found(await skillRow(db, id), SKILL);
        const published = await isPublished(db, id);
        await db.deleteOwnListings(id);
        await db.deleteFrom('skills').where('id', '=', id).execute();
        return { before: toSkill(before, published), after: undefined };
      }),
    publish: (scope, id, metadata) =>
      run.write(scope, async (db) => {
        const before = found(await skillRow(db, id), SKILL);
        const existing = await db.ownListings().where('skill_id', '=', id).executeTakeFirst();
        const copy = { name: metadata.name, description: metadata.description, system_prompt: metadata.systemPrompt, published_at: nowIso() };
        let listingId: string;
        if (existing) {
          // Publishing again refreshes the same listing (installed copies are not touched).
          listingId = existing.id;
          await db.updateOwnListing(id, copy);
        } else {
          listingId = newId('lst');
          await db.insertListing({ id: listingId, skill_id: id, ...copy });
        }
        return { listingId, change: { before: toSkill(before, existing !== undefined), after: toSkill(before, true) } };
      }),
    unpublish: (scope, id) =>
      run.write(scope, async (db): Promise<Change<SkillRecord>> => {
        const before = found(await skillRow(db, id), SKILL);
        const published = await isPublished(db, id);
        await db.deleteOwnListings(id);
        return { before: toSkill(before, published), after: toSkill(before, false) };
      }),
  };
}

interface CursorPosition {
  readonly publishedAt: string;
  readonly id: string;
}

function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.publishedAt, position.id])).toString('base64url');
}

function decodeCursor(cursor: string): CursorPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return { publishedAt: value[0], id: value[1] };
  } catch {
    // falls through to the 400 below
  }
  throw new StoreError('invalid', 'not a cursor this API returned', 'cursor');
}

/** `%`, `_` and the escape character itself match literally in a LIKE pattern. */
function likePattern(q: string): string {
  let out = '';
  for (const ch of q.toLowerCase()) out += ch === '%' || ch === '_' || ch === '\\' ? `\\${ch}` : ch;
  return `%${out}%`;
}

function toListing(row: { id: string; name: string; description: string; system_prompt: string; published_at: string }): ListingRecord {
  return { listingId: row.id, name: row.name, description: row.description, systemPrompt: row.system_prompt, publishedAt: row.published_at };
}

/**
 * The marketplace: published metadata of every tenant (newest first, keyset paging), and
 * installing, which copies a listing into the caller's tenant as an independent skill.
 */
export function createMarketplaceRepository(run: ScopedRunner): MarketplaceRepository {
  return {
    search: (scope, query: ListingQuery) =>
      run.read(scope, async (db): Promise<ListingPage> => {
        let builder = db.publishedListings();
        if (query.q !== undefined && query.q !== '') {
          const pattern = likePattern(query.q);
          // ESCAPE spelled out: SQLite has no default LIKE escape character (PostgreSQL's is the same `\`).
          builder = builder.where(
            sql<SqlBool>`(lower(${sql.ref('marketplace_listings.name')}) like ${pattern} escape '\\' or lower(${sql.ref('marketplace_listings.description')}) like ${pattern} escape '\\')`,
          );
        }
        if (query.cursor !== undefined) {
          const after = decodeCursor(query.cursor);
          builder = builder.where((eb) =>
            eb.or([eb('marketplace_listings.published_at', '<', after.publishedAt), eb.and([eb('marketplace_listings.published_at', '=', after.publishedAt), eb('marketplace_listings.id', '<', after.id)])]),
          );
        }
        const rows = await builder.orderBy('marketplace_listings.published_at', 'desc').orderBy('marketplace_listings.id', 'desc').limit(query.limit + 1).execute();
        const page = rows.slice(0, query.limit);
        const last = page[page.length - 1];
        return { data: page.map(toListing), nextCursor: rows.length > query.limit && last ? encodeCursor({ publishedAt: last.published_at, id: last.id }) : null };
      }),
    get: (scope, listingId) =>
      run.read(scope, async (db) => toListing(found(await db.publishedListings().where('marketplace_listings.id', '=', listingId).executeTakeFirst(), 'listing'))),
    install: (scope, listingId, createdBy) =>
      run.write(scope, async (db) => {
        const listing = found(await db.publishedListings().where('marketplace_listings.id', '=', listingId).executeTakeFirst(), 'listing');
        const now = nowIso();
        const row = { id: newId('skl'), name: listing.name, description: listing.description, system_prompt: listing.system_prompt, created_by: createdBy, installed_from: listing.id, created_at: now, updated_at: now };
        await db.insertInto('skills', [row]).execute();
        return toSkill({ ...row, tenant_id: db.tenantId }, false);
      }),
  };
}
