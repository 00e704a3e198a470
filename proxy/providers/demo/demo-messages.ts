import type { JsonObject } from '../json-fields.js';
import { serializeSseEvent } from '../sse.js';
import { demoReply, demoToolArguments, readConversation } from './demo-conversation.js';
import { demoId } from './demo-ids.js';

function usage(input: number, output: number): JsonObject {
  return { input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output, service_tier: 'standard' };
}

interface MessagesPlan {
  readonly id: string;
  readonly promptTokens: number;
  readonly block: JsonObject;
  /** Text pieces or partial-JSON pieces, one per delta. */
  readonly pieces: readonly string[];
  readonly outputTokens: number;
  readonly stopReason: string;
}

function plan(body: JsonObject): MessagesPlan {
  const conv = readConversation(body);
  const id = demoId('msg_');
  if (conv.tool) {
    const input = demoToolArguments(conv.tool.schema);
    const json = JSON.stringify(input);
    const pieces: string[] = [];
    for (let i = 0; i < json.length; i += 8) pieces.push(json.slice(i, i + 8));
    const block = { type: 'tool_use', id: demoId('toolu_'), name: conv.tool.name, input };
    return { id, promptTokens: conv.promptTokens, block, pieces, outputTokens: Math.ceil(json.length / 4) + 10, stopReason: 'tool_use' };
  }
  const reply = demoReply(conv);
  const block = { type: 'text', text: reply.text };
  return { id, promptTokens: conv.promptTokens, block, pieces: reply.pieces, outputTokens: reply.outputTokens, stopReason: reply.truncated ? 'max_tokens' : 'end_turn' };
}

/** A complete Anthropic `message`. */
export function demoMessage(body: JsonObject, model: string): JsonObject {
  const p = plan(body);
  return {
    id: p.id, type: 'message', role: 'assistant', model, content: [p.block],
    stop_reason: p.stopReason, stop_sequence: null, usage: usage(p.promptTokens, p.outputTokens),
  };
}

/** The SSE frames of a streamed message, `message_start` to `message_stop` (with a `ping`, as Anthropic sends). */
export function demoMessageStream(body: JsonObject, model: string): string[] {
  const p = plan(body);
  const frames: string[] = [];
  const emit = (type: string, fields: JsonObject): void => {
    frames.push(serializeSseEvent({ event: type, data: JSON.stringify({ type, ...fields }) }));
  };
  const message = { id: p.id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage(p.promptTokens, 1) };
  emit('message_start', { message });
  const isTool = p.block['type'] === 'tool_use';
  emit('content_block_start', { index: 0, content_block: isTool ? { ...p.block, input: {} } : { type: 'text', text: '' } });
  emit('ping', {});
  for (const piece of p.pieces) {
    emit('content_block_delta', { index: 0, delta: isTool ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece } });
  }
  emit('content_block_stop', { index: 0 });
  emit('message_delta', { delta: { stop_reason: p.stopReason, stop_sequence: null }, usage: { output_tokens: p.outputTokens } });
  emit('message_stop', {});
  return frames;
}
