/**
 * Skills and marketplace listings as the store hands them out. A skill belongs to one tenant;
 * a listing is the published copy of a skill's metadata and the one thing every tenant may
 * read, so `ListingRecord` has no field that could name the publisher: no tenant id, user id
 * or skill id (the link back to the source skill stays inside the store).
 */
export interface SkillRecord {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly systemPrompt: string;
  /** True while the skill has a marketplace listing. */
  readonly published: boolean;
  /** The listing this skill was installed from (an independent copy); null for a skill written here. */
  readonly installedFrom: string | null;
  /** The user who created (or installed) it: the policy's "own skill" fact. */
  readonly createdBy: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface SkillInput {
  readonly name: string;
  readonly description: string;
  readonly systemPrompt: string;
}

/** The published metadata, nothing else. */
export interface ListingRecord {
  readonly listingId: string;
  readonly name: string;
  readonly description: string;
  readonly systemPrompt: string;
  readonly publishedAt: string;
}

export interface ListingQuery {
  /** Case-insensitive substring of the name or the description. */
  readonly q?: string | undefined;
  readonly limit: number;
  /** Opaque: from the previous page's `nextCursor`. */
  readonly cursor?: string | undefined;
}

export interface ListingPage {
  readonly data: ListingRecord[];
  readonly nextCursor: string | null;
}
