import type { ClientFormat, StreamError } from '../client-format.js';
import { invalid, openAiError } from '../client-format.js';

/** OpenAI Embeddings (`POST /v1/embeddings`): never streams, produces no output tokens. */
export const embeddingsFormat: ClientFormat = {
  route: 'embeddings',
  api: 'openai',
  validate(body) {
    const input = body['input'];
    if (typeof input !== 'string' && !Array.isArray(input)) throw invalid("'input' must be a string or an array.", 'input');
    if (body['stream'] === true) throw invalid('Embeddings do not stream.', 'stream');
    return undefined;
  },
  capField: () => undefined,
  errorEvent: (error: StreamError) => ({ data: JSON.stringify({ error: openAiError(error) }) }),
};
