import { cls, lit, opt, seq, words } from './fragment.js';
import { looksLikePlaceholder, shannonEntropy } from './checks.js';
import { OK, REJECT, type DetectorSpec, type Verdict } from './types.js';

const KEY_CHARS = '[A-Za-z0-9_-]';
const BEFORE = '(?:^|[^A-Za-z0-9_-])';
const AFTER = '(?:[^A-Za-z0-9_-]|$)';
/** "OpenAI" base64-encoded: legacy user keys and many project keys carry it in the middle. */
const OPENAI_MARKER = 'T3BlbkFJ';
const PROJECT_PREFIXES = ['sk-proj-', 'sk-svcacct-', 'sk-admin-'];

export const openaiApiKey: DetectorSpec = {
  id: 'openai_api_key',
  summary: 'OpenAI API keys: sk-… (legacy), sk-proj-…, sk-svcacct-…, sk-admin-…',
  before: BEFORE,
  value: seq(lit('sk-'), opt(words('proj-', 'svcacct-', 'admin-')), cls(KEY_CHARS, 20, Infinity)),
  after: AFTER,
  validate: validateOpenai,
  maxLength: 256,
  retry: 'end',
};

function validateOpenai(value: string): Verdict {
  if (value.startsWith('sk-ant-')) return REJECT; // Anthropic's, reported by its own detector.
  const prefixed = PROJECT_PREFIXES.find((p) => value.startsWith(p));
  const body = value.slice(prefixed ? prefixed.length : 3);
  if (looksLikePlaceholder(body) || body.length > 240) return REJECT;
  if (body.includes(OPENAI_MARKER)) return OK;
  const entropy = shannonEntropy(body);
  if (prefixed) return body.length >= 40 && entropy >= 4 ? OK : REJECT;
  // Un-prefixed: the legacy 48-character form, or the sk-<32+ alphanumerics> keys of
  // OpenAI-compatible providers. Dashes or underscores there mean a slug, not a key.
  const alnum = !body.includes('-') && !body.includes('_');
  return alnum && body.length >= 32 && entropy >= 3 ? OK : REJECT;
}

export const anthropicApiKey: DetectorSpec = {
  id: 'anthropic_api_key',
  summary: 'Anthropic API and admin keys: sk-ant-<kind><version>-…',
  before: BEFORE,
  value: seq(lit('sk-ant-'), cls('[a-z]', 2, 10), cls('[0-9]', 2), lit('-'), cls(KEY_CHARS, 32, Infinity)),
  after: AFTER,
  validate: (value) => {
    const body = value.slice(value.indexOf('-', 7) + 1);
    return body.length >= 40 && body.length <= 200 && !looksLikePlaceholder(body) && shannonEntropy(body) >= 4 ? OK : REJECT;
  },
  maxLength: 220,
  retry: 'end',
};
