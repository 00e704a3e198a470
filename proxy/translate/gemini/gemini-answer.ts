import { count, isObject, type JsonObject } from '../../providers/json-fields.js';

/**
 * Reading Gemini answers (WIRE-GEMINI.md §3, §4), shared by every Gemini → client pair: the
 * first candidate's visible text (thought summaries are never answer text), its function
 * calls, its finish reason, and the usage counts.
 */

export interface GeminiCall {
  readonly name: string;
  readonly args: JsonObject;
  readonly signature: unknown;
}

export interface GeminiChunk {
  readonly text: string;
  readonly calls: readonly GeminiCall[];
  /** `STOP`, `MAX_TOKENS`, … or `BLOCKED` for a prompt refused with no candidate; undefined mid-stream. */
  readonly finish: string | undefined;
  readonly id: string | undefined;
  readonly model: string | undefined;
  readonly usage: JsonObject | undefined;
}

/** The parts of one GenerateContentResponse (a whole answer, or one stream event). */
export function readChunk(body: JsonObject): GeminiChunk {
  const candidates = Array.isArray(body['candidates']) ? body['candidates'] : [];
  const first = candidates.find((c) => isObject(c) && (c['index'] === undefined || c['index'] === 0));
  let text = '';
  const calls: GeminiCall[] = [];
  let finish: string | undefined;
  if (isObject(first)) {
    const content = isObject(first['content']) ? first['content'] : {};
    for (const part of Array.isArray(content['parts']) ? content['parts'] : []) {
      if (!isObject(part) || part['thought'] === true) continue;
      if (typeof part['text'] === 'string') text += part['text'];
      const call = part['functionCall'];
      if (isObject(call) && typeof call['name'] === 'string') calls.push({ name: call['name'], args: isObject(call['args']) ? call['args'] : {}, signature: part['thoughtSignature'] });
    }
    if (typeof first['finishReason'] === 'string' && first['finishReason'] !== '') finish = first['finishReason'];
  }
  const feedback = body['promptFeedback'];
  if (candidates.length === 0 && isObject(feedback) && typeof feedback['blockReason'] === 'string') finish = 'BLOCKED';
  return {
    text,
    calls,
    finish,
    id: typeof body['responseId'] === 'string' ? body['responseId'] : undefined,
    model: typeof body['modelVersion'] === 'string' ? body['modelVersion'] : undefined,
    usage: isObject(body['usageMetadata']) ? body['usageMetadata'] : undefined,
  };
}

const FILTERED = new Set(['SAFETY', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'RECITATION', 'BLOCKED']);

/** What a finish reason means to a client: one rule for every pair. */
export function finishKind(finish: string | undefined, hadCalls: boolean): 'stop' | 'length' | 'tool' | 'filtered' {
  if (finish === 'MAX_TOKENS') return 'length';
  if (finish !== undefined && FILTERED.has(finish)) return 'filtered';
  return hadCalls ? 'tool' : 'stop';
}

/** The usage counts of `usageMetadata`: output includes thinking; input includes the cached part. */
export function usageCounts(usage: JsonObject | undefined): { input: number; cached: number; output: number; thoughts: number; total: number } {
  const u = usage ?? {};
  const input = count(u['promptTokenCount']) + count(u['toolUsePromptTokenCount']);
  const thoughts = count(u['thoughtsTokenCount']);
  const output = count(u['candidatesTokenCount']) + thoughts;
  return { input, cached: count(u['cachedContentTokenCount']), output, thoughts, total: input + output };
}

/** A Gemini error status (`RESOURCE_EXHAUSTED`, …) as an HTTP-ish class the client pairs map from. */
export function geminiErrorMessage(body: JsonObject): { message: string; status: string } {
  const error = isObject(body['error']) ? body['error'] : {};
  return { message: String(error['message'] ?? 'The provider failed mid-stream.'), status: String(error['status'] ?? '') };
}
