import type { JsonObject } from '../../providers/json-fields.js';
import { isHttpUrl, parseDataUrl } from '../data-url.js';
import { untranslatable } from '../translation-error.js';

/**
 * Building Gemini `contents` (WIRE-GEMINI.md §2, §7), shared by every client → Gemini pair:
 * roles are `user` and `model` only; consecutive same-role turns are merged; empty text parts
 * and empty turns are dropped (Gemini answers 400 to them); tool results need the function
 * name, which clients only give as a call id, so the ids of earlier calls are remembered.
 */

export type GeminiPart = JsonObject;
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/**
 * Gemini's function calls carry an opaque `thoughtSignature` that must come back on the same
 * part in the next turn (Gemini 3 refuses the turn without it). OpenAI and Anthropic clients
 * keep only a call id, so the signature rides in the id after this marker (LiteLLM's trick).
 */
const SIGNATURE_MARK = '__thought__';
/** Google's documented stand-in for history that carries no signature (another model's turns). */
const DUMMY_SIGNATURE = 'skip_thought_signature_validator';

/** A client-visible call id: a fresh id, with the part's thought signature when it has one. */
export function callId(prefix: string, n: number, signature: unknown): string {
  const id = `${prefix}${Date.now().toString(36)}${n.toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`;
  return typeof signature === 'string' && signature.length > 0 ? id + SIGNATURE_MARK + signature : id;
}

function signatureOf(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const at = id.indexOf(SIGNATURE_MARK);
  return at < 0 ? undefined : id.slice(at + SIGNATURE_MARK.length);
}

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', pdf: 'application/pdf',
};

/** An image (or PDF) from a URL or `data:` URL as a Gemini part; `param` names the field when it cannot be. */
export function mediaPart(url: string, param: string, mediaType?: string): GeminiPart {
  const inline = parseDataUrl(url);
  if (inline) return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
  if (!isHttpUrl(url) && !url.startsWith('gs://')) throw untranslatable(param, 'Gemini takes http(s) or gs:// URLs and base64 data URLs.');
  const path = url.split('?')[0] ?? url;
  const mimeType = mediaType ?? MIME_BY_EXTENSION[path.slice(path.lastIndexOf('.') + 1).toLowerCase()];
  if (mimeType === undefined) throw untranslatable(param, 'Gemini needs the media type of a URL; use a URL ending in .png, .jpg, .gif, .webp or .pdf, or a data URL.');
  return { fileData: { mimeType, fileUri: url } };
}

/** Accumulates turns in Gemini's shape. */
export class ContentsBuilder {
  readonly contents: GeminiContent[] = [];
  /** Call id → function name, from the model turns seen so far. */
  readonly #names = new Map<string, string>();

  /**
   * Adds parts to a turn (merged into the previous turn of the same role); empty text is
   * dropped. The first function call of a model turn that carries no signature gets the
   * documented stand-in; later calls of the turn carry none (Gemini's parallel-call rule).
   */
  add(role: GeminiContent['role'], parts: readonly GeminiPart[]): void {
    const kept = parts.filter((p) => !(typeof p['text'] === 'string' && p['text'].length === 0));
    if (kept.length === 0) return;
    const last = this.contents[this.contents.length - 1];
    const turn = last && last.role === role ? last : undefined;
    let called = turn !== undefined && turn.parts.some((p) => p['functionCall'] !== undefined);
    const signed = kept.map((p) => {
      if (p['functionCall'] === undefined) return p;
      const first = !called;
      called = true;
      return first && p['thoughtSignature'] === undefined ? { ...p, thoughtSignature: DUMMY_SIGNATURE } : p;
    });
    if (turn) turn.parts.push(...signed);
    else this.contents.push({ role, parts: signed });
  }

  /** A model function call, with the thought signature its id carries (see {@link add} for the stand-in). */
  call(id: unknown, name: string, args: JsonObject): GeminiPart {
    if (typeof id === 'string') this.#names.set(id, name);
    const signature = signatureOf(id);
    const part: GeminiPart = { functionCall: { name, args } };
    if (signature !== undefined) part['thoughtSignature'] = signature;
    return part;
  }

  /** A tool result for an earlier call, as a `functionResponse` (the output under `output`, as the SDK puts it). */
  result(id: unknown, output: string, isError: boolean, param: string): GeminiPart {
    const name = typeof id === 'string' ? this.#names.get(id) : undefined;
    if (name === undefined) throw untranslatable(param, 'Gemini needs the function name of a tool result: it must answer a tool call earlier in the conversation.');
    return { functionResponse: { name, response: isError ? { error: output } : { output } } };
  }
}
