import type { JsonObject } from '../../providers/json-fields.js';
import { callId } from '../gemini/gemini-contents.js';
import { finishKind, readChunk, usageCounts, type GeminiCall } from '../gemini/gemini-answer.js';
import { messageItem, responseFrame } from '../responses-output.js';

/** Gemini answers as OpenAI Responses objects: the vocabulary the complete answer and the stream of this pair share. */

/** Responses usage: input includes the cached part (the OpenAI meaning), output includes thinking. */
export function responsesUsage(usage: JsonObject | undefined): JsonObject {
  const u = usageCounts(usage);
  return { input_tokens: u.input, input_tokens_details: { cached_tokens: u.cached }, output_tokens: u.output, output_tokens_details: { reasoning_tokens: u.thoughts }, total_tokens: u.total };
}

/** `status` and `incomplete_details` of a finished response from Gemini's finish reason. */
export function completion(finish: string | undefined, hadCalls: boolean): { status: string; incomplete_details: JsonObject | null } {
  const kind = finishKind(finish, hadCalls);
  if (kind === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (kind === 'filtered') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/** A `function_call` output item; `call_id` is minted (Gemini sends none) and carries the thought signature. */
export function callItem(call: GeminiCall, id: string, args: string, status: string): JsonObject {
  return { type: 'function_call', id: `fc_${id}`, call_id: id, name: call.name, arguments: args, status };
}

/** A fresh client-visible call id for the `n`th call of a response. */
export function mintCallId(n: number, call: GeminiCall): string {
  return callId('call_', n, call.signature);
}

/** A complete GenerateContentResponse as a Responses `response` object. */
export function geminiToResponse(body: JsonObject): JsonObject {
  const chunk = readChunk(body);
  const id = `resp_${chunk.id ?? Date.now().toString(36)}`;
  const output: JsonObject[] = [];
  if (chunk.text.length > 0) output.push(messageItem(`msg_${id.slice(5)}_0`, chunk.text, 'completed'));
  chunk.calls.forEach((call, i) => output.push(callItem(call, mintCallId(i, call), JSON.stringify(call.args), 'completed')));
  return { ...responseFrame(id, chunk.model ?? '', Math.floor(Date.now() / 1000)), ...completion(chunk.finish, chunk.calls.length > 0), output, usage: responsesUsage(chunk.usage) };
}
