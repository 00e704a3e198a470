import { alt, cls, lit, opt, rep, seq, words } from './fragment.js';
import { base62, crc32, looksLikePlaceholder, shannonEntropy } from './checks.js';
import { OK, REJECT, type DetectorSpec, type Verdict } from './types.js';

export const githubToken: DetectorSpec = {
  id: 'github_token',
  summary: 'GitHub tokens: ghp_/gho_/ghu_/ghs_/ghr_ (CRC-32 checksum verified) and github_pat_ fine-grained tokens',
  before: '(?:^|[^A-Za-z0-9_])',
  value: alt(
    seq(lit('gh'), cls('[pousr]'), lit('_'), cls('[A-Za-z0-9]', 36)),
    seq(lit('github_pat_'), cls('[A-Za-z0-9]', 20, 30), lit('_'), cls('[A-Za-z0-9]', 50, 70)),
  ),
  after: '(?:[^A-Za-z0-9_]|$)',
  validate: validateGithub,
  retry: 'end',
};

/** Since 2021 the last 6 characters of ghX_ tokens are base62(CRC-32 of the 30 random ones). */
function validateGithub(value: string): Verdict {
  if (value.startsWith('github_pat_')) {
    const body = value.slice(11);
    return !looksLikePlaceholder(body) && shannonEntropy(body) >= 4 ? OK : REJECT;
  }
  const random = value.slice(4, 34);
  return base62(crc32(random), 6) === value.slice(34) ? OK : REJECT;
}

const SEGMENT = cls('[0-9A-Za-z]', 1, 80);

export const slackToken: DetectorSpec = {
  id: 'slack_token',
  summary: 'Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxe-, xapp-) and incoming-webhook URLs',
  before: '(?:^|[^A-Za-z0-9_.-])',
  value: alt(
    seq(opt(lit('xoxe.')), lit('xox'), cls('[abposre]'), lit('-'), SEGMENT, rep(seq(lit('-'), SEGMENT), 1, 6)),
    seq(lit('xapp-'), cls('[0-9]', 1, 2), lit('-'), cls('[A-Z0-9]', 6, 20), lit('-'), cls('[0-9]', 6, 20), lit('-'), cls('[a-f0-9]', 32, 80)),
    seq(lit('https://hooks.slack.com/'), words('services/', 'workflows/', 'triggers/'), cls('[A-Za-z0-9_]', 6, 20), lit('/'), cls('[A-Za-z0-9_]', 6, 20), lit('/'), cls('[A-Za-z0-9_]', 16, 40)),
  ),
  after: '(?:[^A-Za-z0-9_-]|$)',
  validate: validateSlack,
  retry: 'end',
};

function validateSlack(value: string): Verdict {
  if (value.startsWith('https://')) return looksLikePlaceholder(value.slice(value.lastIndexOf('/') + 1)) ? REJECT : OK;
  if (value.startsWith('xapp-')) return looksLikePlaceholder(value.slice(5)) ? REJECT : OK;
  const body = value.slice(value.indexOf('-') + 1);
  const segments = body.split('-');
  const longest = Math.max(...segments.map((s) => s.length));
  if (value.length < 24 || longest < 10 || looksLikePlaceholder(body)) return REJECT;
  // Real tokens carry a long numeric team/user id segment next to the random part.
  if (!segments.some((s) => s.length >= 6 && digitsOnly(s))) return REJECT;
  return shannonEntropy(body) >= 3 ? OK : REJECT;
}

function digitsOnly(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Stripe's own documentation keys, printed in every tutorial. */
const STRIPE_DOC_KEYS = new Set(['sk_test_4eC39HqLyjWDarjtT1zdp7dc', 'sk_test_BQokikJOvBiI2HlWgH4olfQ2', 'sk_test_26PHem9AhJZvU623DfE1x4sd']);

export const stripeKey: DetectorSpec = {
  id: 'stripe_key',
  summary: 'Stripe secret and restricted keys (sk_live_, sk_test_, rk_live_, rk_test_) and webhook secrets (whsec_)',
  before: '(?:^|[^A-Za-z0-9_])',
  value: alt(seq(words('sk_', 'rk_'), words('live_', 'test_'), cls('[0-9A-Za-z]', 16, 247)), seq(lit('whsec_'), cls('[A-Za-z0-9]', 32, 80))),
  after: '(?:[^A-Za-z0-9_]|$)',
  validate: validateStripe,
  retry: 'end',
};

function validateStripe(value: string): Verdict {
  if (STRIPE_DOC_KEYS.has(value)) return REJECT;
  const body = value.slice(value.lastIndexOf('_') + 1);
  if (body.length < 24 || looksLikePlaceholder(body) || shannonEntropy(body) < 3.5) return REJECT;
  return value.includes('_test_') ? { ok: true, test: true } : OK;
}
