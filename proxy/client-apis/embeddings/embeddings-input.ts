import type { InputTally } from '../input-tally.js';
import type { PromptPart } from '../prompt-parts.js';

/**
 * Embeddings `input`: a string, an array of strings, or pre-tokenized token ids (an array of
 * numbers, or of such arrays). Strings are prompt text; token ids are not text (DLP cannot read
 * them) and cost one token each.
 */
export function embeddingsPromptParts(body: Readonly<Record<string, unknown>>, out: PromptPart[]): void {
  const input = body['input'];
  if (typeof input === 'string') out.push({ path: ['input'], text: input });
  else if (Array.isArray(input)) {
    input.forEach((entry: unknown, i) => {
      if (typeof entry === 'string') out.push({ path: ['input', i], text: entry });
    });
  }
}

function tallyInput(tally: InputTally, value: unknown): void {
  if (typeof value === 'string') tally.text(value);
  else if (typeof value === 'number') tally.tokenIds(1);
  else if (Array.isArray(value)) for (const item of value) tallyInput(tally, item);
}

/** No per-item framing and no reply primer: an embedding request is its input alone. */
export function embeddingsEstimateInput(body: Readonly<Record<string, unknown>>, tally: InputTally): void {
  tallyInput(tally, body['input']);
}
