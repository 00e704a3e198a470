import t from 'tap';
import { compileTenantDlp } from '../../proxy/dlp/tenant-dlp.js';
import { DlpConfigError } from '../../proxy/dlp/dlp-config-error.js';
import type { DlpConfig } from '../../proxy/config/schema.js';
import { BUILTIN_DETECTOR_IDS } from '../../proxy/dlp/detectors/index.js';
import { Rng } from './corpus/index.js';

const cfg = (partial: Partial<DlpConfig>): DlpConfig => ({ detectors: {}, custom: [], responses: 'off', ...partial });

t.test('unknown detector is a config error naming it', async (t) => {
  t.throws(() => compileTenantDlp('acme', cfg({ detectors: { emial: 'block' } })), {
    name: 'DlpConfigError',
    message: /^tenants\[acme\]\.dlp\.detectors\.emial: unknown detector "emial" \(known: email, /,
  });
});

t.test('patterns RE2 rejects fail at load with the tenant, the pattern name and RE2 reason', async (t) => {
  const lookbehind = cfg({ custom: [{ name: 'ok_one', pattern: 'PRJ-[0-9]{6}', action: 'block' }, { name: 'no_lookbehind', pattern: '(?<=key=)[a-z]+', action: 'block' }] });
  t.throws(() => compileTenantDlp('acme', lookbehind), new DlpConfigError('tenants[acme].dlp.custom[1] "no_lookbehind": invalid RE2 pattern: invalid perl operator: (?<='));
  const backreference = cfg({ custom: [{ name: 'twice', pattern: '(ab)\\1', action: 'log' }] });
  t.throws(() => compileTenantDlp('globex', backreference), { message: 'tenants[globex].dlp.custom[0] "twice": invalid RE2 pattern: invalid escape sequence: \\1' });
  const lookahead = cfg({ custom: [{ name: 'ahead', pattern: 'a(?=b)', action: 'log' }] });
  t.throws(() => compileTenantDlp('acme', lookahead), { message: /^tenants\[acme\]\.dlp\.custom\[0\] "ahead": invalid RE2 pattern: invalid perl operator: \(\?=/ });
  t.throws(() => compileTenantDlp('acme', cfg({ custom: [{ name: 'empty', pattern: 'x*', action: 'log' }] })), { message: /"empty": invalid RE2 pattern: pattern matches the empty string/ });
  t.throws(() => compileTenantDlp('acme', cfg({ custom: [{ name: 'email', pattern: 'x+', action: 'log' }] })), { message: /custom\[0\] "email": name clashes with a built-in detector/ });
  const twice = cfg({ custom: [{ name: 'a_code', pattern: 'A[0-9]+', action: 'log' }, { name: 'a_code', pattern: 'B[0-9]+', action: 'log' }] });
  t.throws(() => compileTenantDlp('acme', twice), { message: /custom\[1\] "a_code": duplicate custom pattern name/ });
});

t.test('ReDoS: (a+)+$ scans 1 MiB of a…ab in linear time', async (t) => {
  const dlp = compileTenantDlp('acme', cfg({ custom: [{ name: 'nested', pattern: '(a+)+$', action: 'block' }] }));
  const evil = 'a'.repeat(1024 * 1024 - 1) + 'b';
  const started = performance.now();
  const matches = dlp.scanText(evil);
  const elapsed = performance.now() - started;
  t.same(matches, [], 'no match: the text ends in b');
  t.ok(elapsed < 1000, `1 MiB scanned in ${elapsed.toFixed(1)} ms (JavaScript RegExp needs seconds for 30 characters)`);
  t.equal(dlp.scanText('xx aaaa').length, 1, 'and it does match where it should');
});

t.test('custom patterns with their own actions', async (t) => {
  const dlp = compileTenantDlp('acme', cfg({
    detectors: { email: 'redact' },
    custom: [
      { name: 'project_code', pattern: 'PRJ-[0-9]{6}', action: 'block' },
      { name: 'ticket', pattern: '(?i)ticket #[0-9]+', action: 'redact' },
      { name: 'codename', pattern: 'Operation [A-Z][a-z]+', action: 'log' },
    ],
  }));
  t.same(dlp.detectorNames, ['email', 'project_code', 'ticket', 'codename']);
  const body = { model: 'fast', messages: [{ role: 'user', content: 'About TICKET #42 and Operation Falcon, mail a@b.io' }] };
  const result = dlp.scanRequest('chat', body);
  t.same(result.blockedBy, []);
  t.same(
    result.findings.map((f) => [f.detector, f.count, f.action, f.direction]).sort(),
    [['codename', 1, 'log', 'request'], ['email', 1, 'redact', 'request'], ['ticket', 1, 'redact', 'request']],
  );
  t.same(result.redactedBody, { model: 'fast', messages: [{ role: 'user', content: 'About [REDACTED:ticket] and Operation Falcon, mail [REDACTED:email]' }] });
  t.equal(body.messages[0]?.content, 'About TICKET #42 and Operation Falcon, mail a@b.io', 'the parsed body is never mutated');

  const blocked = dlp.scanRequest('chat', { messages: [{ role: 'user', content: 'PRJ-123456 and PRJ-654321, mail a@b.io' }] });
  t.same(blocked.blockedBy, ['project_code']);
  t.equal(blocked.redactedBody, undefined, 'a blocked request has nothing to forward');
  t.same(blocked.findings.find((f) => f.detector === 'project_code'), { detector: 'project_code', count: 2, action: 'block', direction: 'request' });
  t.notOk(JSON.stringify(blocked.findings).includes('PRJ-'), 'findings never carry the matched text');
});

t.test('log action forwards unchanged; clean prompts find nothing', async (t) => {
  const dlp = compileTenantDlp('acme', cfg({ detectors: { email: 'log', credit_card: 'block' } }));
  const logged = dlp.scanRequest('messages', { messages: [{ role: 'user', content: 'ping a@b.io' }] });
  t.same(logged, { findings: [{ detector: 'email', count: 1, action: 'log', direction: 'request' }], blockedBy: [] });
  t.same(dlp.scanRequest('messages', { messages: [{ role: 'user', content: 'nothing to see' }] }), { findings: [], blockedBy: [] });
  t.same(dlp.scanRequest('models', { messages: [{ role: 'user', content: 'a@b.io' }] }).findings, []);
  const off = compileTenantDlp('quiet', cfg({}));
  t.equal(off.enabled, false);
  t.same(off.scanRequest('chat', { messages: [{ role: 'user', content: 'a@b.io 4111 1111 1111 1111' }] }).findings, []);
});

t.test('a specific detector wins over the generic secret on the same text', async (t) => {
  const dlp = compileTenantDlp('acme', cfg({ detectors: { generic_secret: 'block', openai_api_key: 'redact' } }));
  const key = 'sk-proj-hT4kW9_zQm2Lx8Rv-N3bJc7YpF1sGd6Ua0Ke5Vo-Xi9Zr2Bt4Hw8Mq3Cn7Sl1Py6Ej0';
  const result = dlp.scanRequest('chat', { messages: [{ role: 'user', content: `api_key = ${key}` }] });
  t.same(result.findings.map((f) => f.detector), ['openai_api_key']);
  t.same(result.redactedBody, { messages: [{ role: 'user', content: 'api_key = [REDACTED:openai_api_key]' }] });
});

t.test('keyword context of tool-input keys reaches keyword-anchored detectors', async (t) => {
  const dlp = compileTenantDlp('acme', cfg({ detectors: { generic_secret: 'redact' } }));
  const body = { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'login', input: { user: 'bob', password: 'Xq7#mP2$vL9!kR' } }] }] };
  const result = dlp.scanRequest('messages', body);
  t.same(result.redactedBody, { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'login', input: { user: 'bob', password: '[REDACTED:generic_secret]' } }] }] });
});

t.test('credit card test numbers are found and flagged as test values', async (t) => {
  const dlp = compileTenantDlp('acme', cfg({ detectors: { credit_card: 'redact' } }));
  const [known, real] = dlp.scanText('4242 4242 4242 4242 and 4539 1488 0343 6467');
  t.equal(known?.test, true);
  t.equal(real?.test, false);
});

t.test('match offsets stay exact around multi-byte and astral characters', async (t) => {
  const dlp = compileTenantDlp('acme', cfg({ detectors: { email: 'redact', credit_card: 'redact' } }));
  const text = '日本語のテキスト a@b.io と 😀😀 4539 1488 0343 6467 — x@y.io';
  const found = dlp.scanText(text).map((m) => [m.detector, text.slice(m.start, m.end)]);
  t.same(found, [['email', 'a@b.io'], ['credit_card', '4539 1488 0343 6467'], ['email', 'x@y.io']]);
  const result = dlp.scanRequest('chat', { messages: [{ role: 'user', content: text }] });
  t.same(result.redactedBody, { messages: [{ role: 'user', content: '日本語のテキスト [REDACTED:email] と 😀😀 [REDACTED:credit_card] — [REDACTED:email]' }] });
});

t.test('an unterminated match after a rejected candidate is retried one character later', async (t) => {
  const dlp = compileTenantDlp('acme', cfg({ detectors: { credit_card: 'redact', iban: 'redact' } }));
  // The first 4-4-4-4 group is Luhn-invalid; the real card starts one group later.
  t.same(dlp.scanText('1234 4539 1488 0343 6467').map((m) => [m.start, m.end]), [[5, 24]]);
  // A compact IBAN glued to a word: the IBAN part is reported.
  const glued = 'DE89370400440532013000ABC';
  t.same(dlp.scanText(glued).map((m) => glued.slice(m.start, m.end)), ['DE89370400440532013000']);
  // A card followed by an expiry that the optional fifth group would swallow.
  const card = '4539 1488 0343 6467 12/25';
  t.same(dlp.scanText(card).map((m) => card.slice(m.start, m.end)), ['4539 1488 0343 6467']);
});

t.test('adversarial soups stay linear with every detector enabled', async (t) => {
  const dlp = compileTenantDlp('acme', cfg({ detectors: Object.fromEntries(BUILTIN_DETECTOR_IDS.map((id) => [id, 'redact' as const])) }));
  const rng = new Rng(5);
  const size = 512 * 1024;
  // Before prefilters and validator-side length checks, these took seconds (RE2's DFA tracking
  // one counter per start position of `x{0,63}` and friends).
  const soups: Record<string, string> = {
    digits: rng.chars('0123456789 -', size),
    base64: rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.', size),
    words: rng.chars('abcdefghijklmnopqrstuvwxyz0123456789._-@', size),
    hex: rng.chars('0123456789abcdef:. ', size),
  };
  for (const [name, text] of Object.entries(soups)) {
    const started = performance.now();
    dlp.scanRequest('chat', { messages: [{ role: 'user', content: text }] });
    const elapsed = performance.now() - started;
    t.ok(elapsed < 2000, `${name}: 512 KiB in ${elapsed.toFixed(0)} ms`);
  }
});
