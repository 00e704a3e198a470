import type { ClientFormat, StreamError } from '../client-format.js';
import { invalid, openAiError } from '../client-format.js';
import { embeddingsEstimateInput, embeddingsPromptParts } from './embeddings-input.js';

/** OpenAI Embeddings (`POST /v1/embeddings`): never streams, produces no output tokens (and no text to scan), takes no system prompt. */
export const embeddingsFormat: ClientFormat = {
  route: 'embeddings',
  api: 'openai',
  conversation: 'input',
  validate(body) {
    const input = body['input'];
    if (typeof input !== 'string' && !Array.isArray(input)) throw invalid("'input' must be a string or an array.", 'input');
    if (body['stream'] === true) throw invalid('Embeddings do not stream.', 'stream');
    return undefined;
  },
  capField: () => undefined,
  outputCount: () => 0,
  promptParts: embeddingsPromptParts,
  responseParts: () => undefined,
  estimateInput: embeddingsEstimateInput,
  applySystemPrompt: undefined,
  errorEvent: (error: StreamError) => ({ data: JSON.stringify({ error: openAiError(error) }) }),
};
