import type { FakeBehavior } from './behavior.js';
import { DEFAULT_TEXT, DEFAULT_USAGE, pieces } from './behavior.js';

/** OpenAI wire shapes as documented (openai-python types), built per request. */

type Json = Record<string, unknown>;
const created = 1_764_000_000;

function usage(b: FakeBehavior): Json {
  const u = b.usage ?? DEFAULT_USAGE;
  return {
    prompt_tokens: u.input,
    completion_tokens: u.output,
    total_tokens: u.input + u.output,
    prompt_tokens_details: { cached_tokens: u.cached ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function openAiError(status: number): Json {
  if (status === 429) return { error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } };
  if (status === 401) return { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } };
  if (status >= 500) return { error: { message: 'The server is overloaded.', type: 'server_error', param: null, code: null } };
  return { error: { message: `Fake error ${status}.`, type: 'invalid_request_error', param: null, code: 'fake_error' } };
}

export function chatCompletion(model: string, b: FakeBehavior): Json {
  const message: Json = b.toolCall
    ? { role: 'assistant', content: null, refusal: null, annotations: [], tool_calls: [{ id: 'call_fake1', type: 'function', function: { name: b.toolCall.name, arguments: JSON.stringify(b.toolCall.arguments) } }] }
    : { role: 'assistant', content: b.text ?? DEFAULT_TEXT, refusal: null, annotations: [] };
  return {
    id: 'chatcmpl-fake1', object: 'chat.completion', created, model, system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: b.toolCall ? 'tool_calls' : 'stop' }],
    usage: usage(b),
  };
}

/** Chat stream `data:` payloads (without framing), `[DONE]` last. */
export function chatStreamData(model: string, b: FakeBehavior, includeUsage: boolean): string[] {
  const chunk = (choices: unknown[], u: Json | null = null): string => {
    const c: Json = { id: 'chatcmpl-fake1', object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices };
    if (includeUsage) c['usage'] = u;
    return JSON.stringify(c);
  };
  const delta = (d: Json, finish: string | null = null): unknown[] => [{ index: 0, delta: d, logprobs: null, finish_reason: finish }];
  const out = [chunk(delta({ role: 'assistant', content: '', refusal: null }))];
  if (b.toolCall) {
    const args = JSON.stringify(b.toolCall.arguments);
    out.push(chunk(delta({ tool_calls: [{ index: 0, id: 'call_fake1', type: 'function', function: { name: b.toolCall.name, arguments: '' } }] })));
    for (let i = 0; i < args.length; i += 5) out.push(chunk(delta({ tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 5) } }] })));
  } else {
    for (const piece of pieces(b.text ?? DEFAULT_TEXT)) out.push(chunk(delta({ content: piece })));
  }
  out.push(chunk(delta({}, b.toolCall ? 'tool_calls' : 'stop')));
  if (includeUsage) out.push(chunk([], usage(b)));
  out.push('[DONE]');
  return out;
}

function responseObject(model: string, b: FakeBehavior, status: string, output: unknown[], withUsage: boolean): Json {
  const u = b.usage ?? DEFAULT_USAGE;
  return {
    id: 'resp_fake1', object: 'response', created_at: created, status, model, output, error: null, incomplete_details: null,
    instructions: null, parallel_tool_calls: true, tool_choice: 'auto', tools: [], temperature: 1, top_p: 1, metadata: {},
    text: { format: { type: 'text' } },
    usage: withUsage ? { input_tokens: u.input, input_tokens_details: { cached_tokens: u.cached ?? 0 }, output_tokens: u.output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: u.input + u.output } : null,
  };
}

function messageItem(text: string): Json {
  return { type: 'message', id: 'msg_fake1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
}

export function responseCompleted(model: string, b: FakeBehavior): Json {
  return responseObject(model, b, 'completed', [messageItem(b.text ?? DEFAULT_TEXT)], true);
}

/** Responses stream events as `[event name, payload]`. */
export function responsesStreamEvents(model: string, b: FakeBehavior): [string, string][] {
  const text = b.text ?? DEFAULT_TEXT;
  let seq = 0;
  const ev = (type: string, fields: Json): [string, string] => [type, JSON.stringify({ type, sequence_number: seq++, ...fields })];
  const item = { item_id: 'msg_fake1', output_index: 0, content_index: 0 };
  const out: [string, string][] = [
    ev('response.created', { response: responseObject(model, b, 'in_progress', [], false) }),
    ev('response.in_progress', { response: responseObject(model, b, 'in_progress', [], false) }),
    ev('response.output_item.added', { output_index: 0, item: { ...messageItem(''), status: 'in_progress', content: [] } }),
    ev('response.content_part.added', { ...item, part: { type: 'output_text', text: '', annotations: [] } }),
  ];
  for (const piece of pieces(text)) out.push(ev('response.output_text.delta', { ...item, delta: piece }));
  out.push(ev('response.output_text.done', { ...item, text }));
  out.push(ev('response.content_part.done', { ...item, part: { type: 'output_text', text, annotations: [] } }));
  out.push(ev('response.output_item.done', { output_index: 0, item: messageItem(text) }));
  out.push(ev('response.completed', { response: responseCompleted(model, b) }));
  return out;
}

export function embeddings(model: string, body: Json, b: FakeBehavior): Json {
  const input = body['input'];
  const inputs = Array.isArray(input) ? input : [input];
  const dims = typeof body['dimensions'] === 'number' ? body['dimensions'] : 8;
  const data = inputs.map((_, index) => {
    const vector = Array.from({ length: dims }, (_v, i) => (i + 1) / 100 + index);
    if (body['encoding_format'] !== 'base64') return { object: 'embedding', index, embedding: vector };
    const bytes = Buffer.alloc(dims * 4);
    vector.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
    return { object: 'embedding', index, embedding: bytes.toString('base64') };
  });
  const u = b.usage ?? DEFAULT_USAGE;
  return { object: 'list', data, model, usage: { prompt_tokens: u.input, total_tokens: u.input } };
}

export function modelList(): Json {
  return { object: 'list', data: [{ id: 'fake-model', object: 'model', created, owned_by: 'fake' }] };
}
