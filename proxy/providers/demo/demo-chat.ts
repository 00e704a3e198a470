import type { JsonObject } from '../json-fields.js';
import { isObject } from '../json-fields.js';
import { serializeSseEvent } from '../sse.js';
import { demoReply, demoToolArguments, readConversation, type DemoConversation } from './demo-conversation.js';
import { demoId, unixSeconds } from './demo-ids.js';

function chatUsage(prompt: number, completion: number): JsonObject {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

interface ChatPlan {
  readonly conv: DemoConversation;
  readonly toolCall: { id: string; name: string; arguments: string } | undefined;
}

function plan(body: JsonObject): ChatPlan {
  const conv = readConversation(body);
  const toolCall = conv.tool ? { id: demoId('call_'), name: conv.tool.name, arguments: JSON.stringify(demoToolArguments(conv.tool.schema)) } : undefined;
  return { conv, toolCall };
}

/** A complete `chat.completion` object. */
export function demoChatCompletion(body: JsonObject, model: string): JsonObject {
  const { conv, toolCall } = plan(body);
  const base = { id: demoId('chatcmpl-'), object: 'chat.completion', created: unixSeconds(), model, service_tier: 'default', system_fingerprint: 'fp_demo' };
  if (toolCall) {
    const message = { role: 'assistant', content: null, refusal: null, annotations: [], tool_calls: [{ id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: toolCall.arguments } }] };
    const completion = Math.ceil(toolCall.arguments.length / 4) + 8;
    return { ...base, choices: [{ index: 0, message, logprobs: null, finish_reason: 'tool_calls' }], usage: chatUsage(conv.promptTokens, completion) };
  }
  const reply = demoReply(conv);
  const message = { role: 'assistant', content: reply.text, refusal: null, annotations: [] };
  const choice = { index: 0, message, logprobs: null, finish_reason: reply.truncated ? 'length' : 'stop' };
  return { ...base, choices: [choice], usage: chatUsage(conv.promptTokens, reply.outputTokens) };
}

/** The SSE frames of a streamed chat completion, `[DONE]` included. */
export function demoChatStream(body: JsonObject, model: string): string[] {
  const { conv, toolCall } = plan(body);
  const options = body['stream_options'];
  const includeUsage = isObject(options) && options['include_usage'] === true;
  const id = demoId('chatcmpl-');
  const created = unixSeconds();
  const frame = (choices: unknown[], usage?: JsonObject): string => {
    const chunk: JsonObject = { id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_demo', choices };
    if (includeUsage) chunk['usage'] = usage ?? null;
    return serializeSseEvent({ data: JSON.stringify(chunk) });
  };
  const delta = (d: JsonObject, finish: string | null = null): unknown[] => [{ index: 0, delta: d, logprobs: null, finish_reason: finish }];
  const frames: string[] = [frame(delta({ role: 'assistant', content: toolCall ? null : '', refusal: null }))];
  let completion: number;
  let finish: string;
  if (toolCall) {
    frames.push(frame(delta({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '' } }] })));
    for (let i = 0; i < toolCall.arguments.length; i += 8) {
      frames.push(frame(delta({ tool_calls: [{ index: 0, function: { arguments: toolCall.arguments.slice(i, i + 8) } }] })));
    }
    completion = Math.ceil(toolCall.arguments.length / 4) + 8;
    finish = 'tool_calls';
  } else {
    const reply = demoReply(conv);
    for (const piece of reply.pieces) frames.push(frame(delta({ content: piece })));
    completion = reply.outputTokens;
    finish = reply.truncated ? 'length' : 'stop';
  }
  frames.push(frame(delta({}, finish)));
  if (includeUsage) frames.push(frame([], chatUsage(conv.promptTokens, completion)));
  frames.push('data: [DONE]\n\n');
  return frames;
}
