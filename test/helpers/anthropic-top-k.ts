// `top_k` is part of the Anthropic Messages API, but @anthropic-ai/sdk 1.x dropped it from its
// request types; the SDK still sends every field it is given, as older SDKs and raw HTTP callers do.
import type Anthropic from '@anthropic-ai/sdk';

/** `params` plus `top_k`, typed as the SDK's non-streaming request so `messages.create` accepts it. */
export function withTopK(params: Anthropic.MessageCreateParamsNonStreaming, topK: number): Anthropic.MessageCreateParamsNonStreaming {
  const body: Anthropic.MessageCreateParamsNonStreaming & { top_k: number } = { ...params, top_k: topK };
  return body;
}
