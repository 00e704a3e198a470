import type { ClientApi, RouteKind } from '../core/vocabulary.js';
import type { SseEvent } from '../providers/sse-types.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { InputTally } from './input-tally.js';
import type { PromptPart } from './prompt-parts.js';

/**
 * What the gateway knows about one client API's format, in one place per API (a folder each):
 * the request shape it validates, where its prompt and response text sit (for DLP), what its
 * input costs in tokens, the field that caps its output, where a skill's system prompt goes,
 * and the in-stream error frame its SDK raises. Stages, DLP, limits and translators ask here
 * instead of switching on the route themselves. Every member is required, so a new client
 * format that forgets one does not compile; it is a folder and a line in `client-formats.ts`.
 */
export interface ClientFormat {
  readonly route: RouteKind;
  readonly api: ClientApi;
  /** The field holding the conversation (`messages`, or `input`): its length is the policy input's message count. */
  readonly conversation: string;
  /** Checks the fields the route needs; returns the client's output cap (undefined when unset). Throws 400 naming the field. */
  validate(body: Readonly<Record<string, unknown>>): number | undefined;
  /** The body field that caps output for `model` (where the default cap is written), if the API has one. */
  capField(model: string): string | undefined;
  /** How many outputs the request asks for (chat `n`); 0 for an API that produces no output tokens. */
  outputCount(body: Readonly<Record<string, unknown>>): number;
  /** Pushes every prompt text of a request body (what request DLP scans); never throws on a malformed body. */
  promptParts(body: Readonly<Record<string, unknown>>, out: PromptPart[]): void;
  /** Pushes every model-written text of a complete (non-stream) response body (what response DLP scans). */
  responseParts(body: Readonly<Record<string, unknown>>, out: PromptPart[]): void;
  /** Reports the request's input to the token estimate, field by field, in a stable order. */
  estimateInput(body: Readonly<Record<string, unknown>>, tally: InputTally): void;
  /** Puts a skill's system prompt first, in place; undefined for an API that has no system prompt. */
  readonly applySystemPrompt: ((body: Record<string, unknown>, prompt: string) => void) | undefined;
  /** The error event an SDK of this API raises inside a started stream. */
  errorEvent(error: StreamError): SseEvent;
}

/** An error as a stream frame needs it: the catalog's per-API types, and ids. */
export interface StreamError {
  readonly code: string;
  readonly message: string;
  readonly param: string | null;
  readonly openaiType: string;
  readonly anthropicType: string;
  readonly requestId?: string;
  /** Responses streams number their events; the error takes the next number. */
  readonly sequenceNumber?: number;
}

/** A 400 `invalid_request` naming the field. */
export function invalid(message: string, param: string | null = null): GatewayError {
  return new GatewayError('invalid_request', message, { param });
}

/** A positive integer field, or undefined when absent. */
export function optionalInt(body: Readonly<Record<string, unknown>>, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw invalid(`'${field}' must be a positive integer.`, field);
  return v;
}

/** The OpenAI error object (`{message,type,code,param}`) of a stream error. */
export function openAiError(error: StreamError): Record<string, unknown> {
  return { message: error.message, type: error.openaiType, code: error.code, param: error.param };
}

/** `prompt`, then the client's own text after a blank line (Messages `system`, Responses `instructions`). */
export function promptBefore(prompt: string, existing: unknown): string {
  return typeof existing === 'string' && existing.length > 0 ? `${prompt}\n\n${existing}` : prompt;
}
