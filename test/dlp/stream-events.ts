import type { SseEvent } from '../../proxy/providers/sse-types.js';

/** Builders of the three client stream shapes, and readers of the text they carry. */
export type StreamRoute = 'chat' | 'messages' | 'responses';

export function chatEvents(deltas: readonly string[]): SseEvent[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null): SseEvent => ({
    data: JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] }),
  });
  return [chunk({ role: 'assistant', content: '' }, null), ...deltas.map((d) => chunk({ content: d }, null)), chunk({}, 'stop'), { data: '[DONE]' }];
}

export function messagesEvents(deltas: readonly string[]): SseEvent[] {
  const ev = (type: string, body: Record<string, unknown>): SseEvent => ({ event: type, data: JSON.stringify({ type, ...body }) });
  return [
    ev('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 3, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', {}),
    ...deltas.map((d) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: d } })),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }),
    ev('message_stop', {}),
  ];
}

export function responsesEvents(deltas: readonly string[]): SseEvent[] {
  const full = deltas.join('');
  let seq = 0;
  const ev = (type: string, body: Record<string, unknown>): SseEvent => ({ event: type, data: JSON.stringify({ type, sequence_number: seq++, ...body }) });
  const item = (text: string, status: string) => ({ id: 'msg_1', type: 'message', role: 'assistant', status, content: text === '' ? [] : [{ type: 'output_text', text, annotations: [] }] });
  const response = (status: string, output: unknown[]) => ({ id: 'resp_1', object: 'response', status, output, usage: status === 'completed' ? { input_tokens: 3, output_tokens: 9, total_tokens: 12 } : null });
  return [
    ev('response.created', { response: response('in_progress', []) }),
    ev('response.in_progress', { response: response('in_progress', []) }),
    ev('response.output_item.added', { output_index: 0, item: item('', 'in_progress') }),
    ev('response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }),
    ...deltas.map((d) => ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: d })),
    ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: full }),
    ev('response.content_part.done', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: full, annotations: [] } }),
    ev('response.output_item.done', { output_index: 0, item: item(full, 'completed') }),
    ev('response.completed', { response: response('completed', [item(full, 'completed')]) }),
  ];
}

export const BUILDERS: Record<StreamRoute, (deltas: readonly string[]) => SseEvent[]> = { chat: chatEvents, messages: messagesEvents, responses: responsesEvents };

function parse(event: SseEvent): unknown {
  return event.data === '[DONE]' ? undefined : (JSON.parse(event.data) as unknown);
}

/** Reads a nested field of parsed JSON (undefined when any step is missing). */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The text a client SDK would assemble from the deltas. */
export function streamedText(route: StreamRoute, events: readonly SseEvent[]): string {
  let out = '';
  for (const event of events) {
    const data = parse(event);
    const type = at(data, 'type');
    if (route === 'chat') out += str(at(data, 'choices', 0, 'delta', 'content'));
    else if (route === 'messages' && type === 'content_block_delta') out += str(at(data, 'delta', 'text'));
    else if (route === 'responses' && type === 'response.output_text.delta') out += str(at(data, 'delta'));
  }
  return out;
}

/** Texts repeated whole in Responses done/completed events. */
export function responsesWholeTexts(events: readonly SseEvent[]): string[] {
  const out: string[] = [];
  for (const event of events) {
    const data = parse(event);
    const type = at(data, 'type');
    if (type === 'response.output_text.done') out.push(str(at(data, 'text')));
    if (type === 'response.content_part.done') out.push(str(at(data, 'part', 'text')));
    if (type === 'response.output_item.done') out.push(str(at(data, 'item', 'content', 0, 'text')));
    if (type === 'response.completed') out.push(str(at(data, 'response', 'output', 0, 'content', 0, 'text')));
  }
  return out;
}
