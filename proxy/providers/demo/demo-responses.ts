import type { JsonObject } from '../json-fields.js';
import { serializeSseEvent } from '../sse.js';
import { demoReply, demoToolArguments, readConversation } from './demo-conversation.js';
import { demoId, unixSeconds } from './demo-ids.js';

function usage(input: number, output: number): JsonObject {
  return { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output };
}

interface ResponsesPlan {
  readonly shell: JsonObject;
  readonly item: JsonObject;
  readonly pieces: readonly string[];
  readonly usage: JsonObject;
  readonly status: 'completed' | 'incomplete';
}

function plan(body: JsonObject, model: string): ResponsesPlan {
  const conv = readConversation(body);
  const shell: JsonObject = {
    id: demoId('resp_'), object: 'response', created_at: unixSeconds(), status: 'in_progress', background: false, error: null,
    incomplete_details: null, instructions: body['instructions'] ?? null, max_output_tokens: body['max_output_tokens'] ?? null,
    model, output: [], parallel_tool_calls: true, previous_response_id: body['previous_response_id'] ?? null,
    reasoning: { effort: null, summary: null }, store: false, temperature: 1, text: { format: { type: 'text' } },
    tool_choice: body['tool_choice'] ?? 'auto', tools: body['tools'] ?? [], top_p: 1, truncation: 'disabled', usage: null, metadata: {},
  };
  if (conv.tool) {
    const args = JSON.stringify(demoToolArguments(conv.tool.schema));
    const item = { type: 'function_call', id: demoId('fc_'), call_id: demoId('call_'), name: conv.tool.name, arguments: args, status: 'completed' };
    return { shell, item, pieces: [args], usage: usage(conv.promptTokens, Math.ceil(args.length / 4) + 8), status: 'completed' };
  }
  const reply = demoReply(conv);
  const item = { type: 'message', id: demoId('msg_'), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }] };
  return { shell, item, pieces: reply.pieces, usage: usage(conv.promptTokens, reply.outputTokens), status: reply.truncated ? 'incomplete' : 'completed' };
}

function finished(p: ResponsesPlan): JsonObject {
  const incomplete = p.status === 'incomplete' ? { reason: 'max_output_tokens' } : null;
  return { ...p.shell, status: p.status, incomplete_details: incomplete, output: [p.item], usage: p.usage };
}

/** A complete `response` object. */
export function demoResponse(body: JsonObject, model: string): JsonObject {
  return finished(plan(body, model));
}

/** The SSE frames of a streamed response, `response.created` to `response.completed`. */
export function demoResponseStream(body: JsonObject, model: string): string[] {
  const p = plan(body, model);
  let seq = 0;
  const frames: string[] = [];
  const emit = (type: string, fields: JsonObject): void => {
    frames.push(serializeSseEvent({ event: type, data: JSON.stringify({ type, sequence_number: seq++, ...fields }) }));
  };
  emit('response.created', { response: p.shell });
  emit('response.in_progress', { response: p.shell });
  const itemId = p.item['id'];
  if (p.item['type'] === 'function_call') {
    emit('response.output_item.added', { output_index: 0, item: { ...p.item, arguments: '', status: 'in_progress' } });
    for (const piece of p.pieces) emit('response.function_call_arguments.delta', { item_id: itemId, output_index: 0, delta: piece });
    emit('response.function_call_arguments.done', { item_id: itemId, output_index: 0, arguments: p.item['arguments'] });
  } else {
    const text = p.pieces.join('');
    emit('response.output_item.added', { output_index: 0, item: { ...p.item, status: 'in_progress', content: [] } });
    emit('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } });
    for (const piece of p.pieces) emit('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta: piece, logprobs: [] });
    emit('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text, logprobs: [] });
    emit('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text, annotations: [], logprobs: [] } });
  }
  emit('response.output_item.done', { output_index: 0, item: p.item });
  emit(p.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: finished(p) });
  return frames;
}
