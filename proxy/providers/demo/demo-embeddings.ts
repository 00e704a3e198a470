import type { JsonObject } from '../json-fields.js';
import { estimateTokens } from './demo-conversation.js';

/** Deterministic unit vector for a text (FNV-1a seed, xorshift32 stream): same input, same vector. */
function vectorFor(text: string, dims: number): Float32Array {
  let seed = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 0x01000193) >>> 0;
  const out = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    const v = seed / 0xffffffff - 0.5;
    out[i] = v;
    norm += v * v;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dims; i++) out[i] = (out[i] as number) * scale;
  return out;
}

/** Little-endian float32 bytes in base64: what the SDKs decode when they ask for `encoding_format: base64`. */
function toBase64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] as number, i * 4);
  return bytes.toString('base64');
}

function inputsOf(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return [];
  // A flat number array is one tokenised input; otherwise each element is one input.
  if (input.every((v) => typeof v === 'number')) return [input.join(' ')];
  return input.map((v) => (typeof v === 'string' ? v : Array.isArray(v) ? v.join(' ') : String(v)));
}

/** An embeddings `list` response honouring `encoding_format` and `dimensions`. */
export function demoEmbeddings(body: JsonObject, model: string): JsonObject {
  const dims = typeof body['dimensions'] === 'number' && body['dimensions'] > 0 && body['dimensions'] <= 4096 ? Math.floor(body['dimensions']) : 1536;
  const base64 = body['encoding_format'] === 'base64';
  let tokens = 0;
  const data = inputsOf(body['input']).map((text, index) => {
    tokens += estimateTokens(text);
    const vector = vectorFor(text, dims);
    return { object: 'embedding', index, embedding: base64 ? toBase64(vector) : Array.from(vector) };
  });
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
