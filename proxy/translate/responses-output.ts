import type { JsonObject } from '../providers/json-fields.js';

/**
 * The OpenAI Responses object as every provider → Responses pair builds it (WIRE.md §4): the
 * fixed frame the SDK types require around `output`, and the `message` output item.
 */

/** The Response object's fixed frame (fields the SDK types require), around `output`. */
export function responseFrame(id: string, model: string, createdAt: number): JsonObject {
  return {
    id, object: 'response', created_at: createdAt, status: 'in_progress', error: null, incomplete_details: null, instructions: null,
    max_output_tokens: null, model, output: [], parallel_tool_calls: true, previous_response_id: null, reasoning: { effort: null, summary: null },
    store: false, temperature: null, text: { format: { type: 'text' } }, tool_choice: 'auto', tools: [], top_p: null, truncation: 'disabled',
    usage: null, user: null, metadata: {},
  };
}

/** A `message` output item with its one `output_text` part (none yet while it is being streamed). */
export function messageItem(id: string, text: string, status: string): JsonObject {
  return { type: 'message', id, status, role: 'assistant', content: text === '' && status === 'in_progress' ? [] : [{ type: 'output_text', text, annotations: [] }] };
}
