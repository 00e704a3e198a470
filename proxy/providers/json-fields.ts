/** Narrowing helpers for provider JSON (untrusted shape: never assume a field exists). */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-negative finite number, else 0 (providers sometimes send null for "not applicable"). */
export function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Parses JSON, returning undefined instead of throwing (provider bodies may be anything). */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The `type` of an SSE event: its `event:` line, else the `"type"` of a data payload that
 * starts with it (the providers' own serialisation), else the parsed payload's `type`.
 */
export function sseEventType(event: { readonly event?: string; readonly data: string }): string | undefined {
  if (event.event !== undefined) return event.event;
  const data = event.data;
  if (data.startsWith('{"type":"')) {
    const end = data.indexOf('"', 9);
    if (end > 9) return data.slice(9, end);
  }
  if (data.indexOf('"type"') === -1) return undefined;
  const parsed = tryParseJson(data);
  return isObject(parsed) && typeof parsed['type'] === 'string' ? parsed['type'] : undefined;
}
