import t from 'tap';
import type { ClientFormat } from '../../proxy/client-apis/client-format.js';
import { clientFormat } from '../../proxy/client-apis/client-formats.js';
import type { PromptPart } from '../../proxy/client-apis/prompt-parts.js';
import type { RouteKind } from '../../proxy/core/vocabulary.js';
import { estimateBodyInputTokens } from '../../proxy/limits/token-estimate.js';

/**
 * A client format is complete or it does not compile: every member of `ClientFormat` is
 * required (checked here at compile time), and `MEMBERS` must name each one (a member added to
 * the interface without a line here is a compile error, so the runtime check below covers it).
 */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
const everyMemberRequired: [OptionalKeys<ClientFormat>] extends [never] ? true : false = true;

const MEMBERS = {
  route: true,
  api: true,
  conversation: true,
  validate: true,
  capField: true,
  outputCount: true,
  promptParts: true,
  responseParts: true,
  estimateInput: true,
  applySystemPrompt: true,
  errorEvent: true,
} as const satisfies Record<keyof ClientFormat, true>;

const ROUTES = ['chat', 'responses', 'messages', 'embeddings'] as const satisfies readonly RouteKind[];

/** A small valid request per format, with one prompt text `SECRET`. */
const REQUESTS: Record<(typeof ROUTES)[number], Record<string, unknown>> = {
  chat: { model: 'm', messages: [{ role: 'user', content: 'SECRET' }] },
  responses: { model: 'm', input: 'SECRET' },
  messages: { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'SECRET' }] },
  embeddings: { model: 'm', input: 'SECRET' },
};

t.test('every member of ClientFormat is required', async (t) => {
  t.equal(everyMemberRequired, true);
});

for (const route of ROUTES) {
  t.test(`${route}: registered, and provides every member`, async (t) => {
    const format = clientFormat(route);
    if (!format) return t.fail(`${route} is not registered`);
    t.equal(format.route, route);
    for (const member of Object.keys(MEMBERS)) t.ok(Object.hasOwn(format, member), `${route} declares ${member}`);
    const body = REQUESTS[route];
    t.doesNotThrow(() => format.validate(body), 'its sample request is valid');
    const parts: PromptPart[] = [];
    format.promptParts(body, parts);
    t.same(parts.map((p) => p.text), ['SECRET'], 'reports its prompt text');
    t.ok(estimateBodyInputTokens(route, body, 'claude-x') > 0, 'its input costs tokens');
  });
}

t.test('only embeddings produce no output, take no system prompt and have no response text', async (t) => {
  for (const route of ROUTES) {
    const format = clientFormat(route) as ClientFormat;
    const embeddings = route === 'embeddings';
    t.equal(format.outputCount({}), embeddings ? 0 : 1, `${route} output count`);
    t.equal(format.applySystemPrompt === undefined, embeddings, `${route} system prompt`);
  }
  const parts: PromptPart[] = [];
  clientFormat('embeddings')?.responseParts({ data: [{ embedding: [0.1] }] }, parts);
  t.same(parts, []);
});

t.test('chat counts its `n` choices; other formats ignore `n`', async (t) => {
  t.equal(clientFormat('chat')?.outputCount({ n: 3 }), 3);
  t.equal(clientFormat('chat')?.outputCount({ n: 1.5 }), 1);
  t.equal(clientFormat('responses')?.outputCount({ n: 3 }), 1);
});

t.test('models has no format: nothing to scan, count or cap', async (t) => {
  t.equal(clientFormat('models'), undefined);
  t.equal(estimateBodyInputTokens('models', { messages: [{ role: 'user', content: 'x' }] }, 'gpt-4o'), 0);
});
