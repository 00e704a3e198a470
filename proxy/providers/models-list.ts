/** One entry of OpenAI's `GET /v1/models` list. */
export interface ModelListEntry {
  readonly id: string;
  readonly object: 'model';
  readonly created: number;
  readonly owned_by: string;
}

export interface ModelList {
  readonly object: 'list';
  readonly data: readonly ModelListEntry[];
}

export interface ModelListInput {
  /** Tier names (or `provider/model` ids) the caller may use, already filtered by the policy. */
  readonly allowed: Iterable<string>;
  /** `owned_by` of every entry: the caller's tenant id. */
  readonly ownedBy: string;
  /** Unix seconds shown as `created` (e.g. when the config was loaded; stable across calls). */
  readonly created: number;
}

/**
 * The caller's tenant's models in OpenAI's list shape, so `client.models.list()` and tools
 * that populate a model picker work unchanged. Order is the input order; duplicates dropped.
 */
export function renderModelList(input: ModelListInput): ModelList {
  const seen = new Set<string>();
  const data: ModelListEntry[] = [];
  for (const id of input.allowed) {
    if (seen.has(id)) continue;
    seen.add(id);
    data.push({ id, object: 'model', created: input.created, owned_by: input.ownedBy });
  }
  return { object: 'list', data };
}
