import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SseParser, serializeSseEvent } from '../proxy/providers/sse.js';
import { TransformChain } from '../proxy/providers/transform-chain.js';
import { callShape } from '../proxy/translate/call-shape.js';
import type { ProviderType } from '../proxy/config/schema.js';
import type { ClientApi, RouteKind } from '../proxy/core/vocabulary.js';

/**
 * `npm run bench:translate`: the CPU a translated call adds, per request, next to the native
 * path on the same machine: the request mapping plus the whole stream chain (parse → provider
 * session → translator → client session → serialise) over the checked-in fixtures.
 */

const FIXTURES = new URL('../test/translate/fixtures/', import.meta.url);
const ROUNDS = 3000;
const chatBody = { model: 'smart', stream: true, max_tokens: 256, messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'What is the weather in Paris and Rome? '.repeat(20) }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] };
const messagesBody = { model: 'smart', stream: true, max_tokens: 256, system: 'Be terse.', messages: [{ role: 'user', content: 'What is the weather in Paris and Rome? '.repeat(20) }], tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }] };

function run(provider: ProviderType, api: ClientApi, route: RouteKind, fixture: string, body: Record<string, unknown>): number {
  const shape = callShape(provider, api, route);
  if (!shape) throw new Error('no shape');
  const raw = Buffer.from(readFileSync(new URL(fixture, FIXTURES), 'utf8'));
  const once = (): void => {
    if (shape.translator) JSON.stringify(shape.translator.request(body, 'model-x', true));
    else JSON.stringify({ ...body, model: 'model-x' });
    const upstream = shape.adapter.openStream(shape.upstreamRoute, { clientWantsUsage: true });
    const chain = shape.translator ? new TransformChain([upstream.transform, shape.translator.stream(), shape.client.openStream(route, { clientWantsUsage: true }).transform]) : new TransformChain([upstream.transform]);
    const parser = new SseParser();
    let out = '';
    for (const e of chain.push(parser.push(raw))) out += serializeSseEvent(e);
    for (const e of chain.end()) out += serializeSseEvent(e);
    upstream.usage();
  };
  for (let i = 0; i < 300; i++) once();
  const started = performance.now();
  for (let i = 0; i < ROUNDS; i++) once();
  return ((performance.now() - started) * 1000) / ROUNDS;
}

const rows: [string, number][] = [
  ['chat → openai (native, baseline)', run('openai', 'openai', 'chat', 'openai-tool-stream.sse', chatBody)],
  ['chat → anthropic', run('anthropic', 'openai', 'chat', 'anthropic-tool-stream.sse', chatBody)],
  ['chat → gemini', run('gemini', 'openai', 'chat', 'gemini-tool-stream.sse', chatBody)],
  ['messages → anthropic (native, baseline)', run('anthropic', 'anthropic', 'messages', 'anthropic-tool-stream.sse', messagesBody)],
  ['messages → openai', run('openai', 'anthropic', 'messages', 'openai-tool-stream.sse', messagesBody)],
  ['messages → gemini', run('gemini', 'anthropic', 'messages', 'gemini-tool-stream.sse', messagesBody)],
  ['responses → anthropic', run('anthropic', 'openai', 'responses', 'anthropic-tool-stream.sse', { model: 'smart', stream: true, input: 'What is the weather? '.repeat(20) })],
  ['responses → gemini', run('gemini', 'openai', 'responses', 'gemini-tool-stream.sse', { model: 'smart', stream: true, input: 'What is the weather? '.repeat(20) })],
];
for (const [name, us] of rows) console.log(`${name.padEnd(42)} ${us.toFixed(1).padStart(7)} µs CPU per request (request mapping + a 10-15 event tool stream)`);
