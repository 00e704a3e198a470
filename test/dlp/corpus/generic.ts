import { DIGITS, LOWER, UPPER, roundRobin, type Corpus, type Rng } from './rng.js';

const KEYWORDS: readonly (readonly [string, string])[] = [
  ['password=', ''],
  ['password: ', ''],
  ['DB_PASSWORD="', '"'],
  ['"client_secret": "', '"'],
  ['api_key = ', ''],
  ['secret: ', ''],
  ['Authorization: Bearer ', ''],
  ['passwd=', ''],
  ["apikey: '", "'"],
  ['SECRET_KEY = "', '"'],
  ['x-api-key: ', ''],
  ['--password ', ''],
  ['https://example.net/callback?access_token=', '&state=1'],
  ['private_key: ', ''],
];

const SYMBOLS = '!#*@^()-_=+[]~?.:';

/** A random password-like value: 12–40 characters, upper, lower, digit and symbol all present. */
function value(rng: Rng): string {
  const body = rng.chars(UPPER + LOWER + DIGITS + SYMBOLS, rng.int(8, 36));
  return `${rng.chars(UPPER, 1)}${rng.chars(LOWER, 1)}${body}${rng.chars(DIGITS, 1)}${rng.chars('!#*@^', 1)}`;
}

export const genericCorpus: Corpus = {
  detector: 'generic_secret',
  positives: (rng, n) =>
    Array.from({ length: n }, () => {
      const [keyword, close] = rng.pick(KEYWORDS);
      const secret = value(rng);
      return { text: `${keyword}${secret}${close}`, value: secret };
    }),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => 'password=changeme',
      () => `password: \${DB_PASSWORD_${rng.chars(UPPER, 3)}}`,
      () => `secret: <your-${rng.chars(LOWER, 5)}-secret>`,
      () => `token: {{ secrets.${rng.chars(UPPER, 6)}_TOKEN }}`,
      () => `password=${'*'.repeat(rng.int(8, 16))}`,
      () => `api_key: your_api_key_here_${rng.chars(LOWER, 3)}`,
      () => `password: ${rng.chars(LOWER, 5)}${rng.int(1, 99)}`,
      () => `max_tokens: ${rng.int(1000, 99999)}`,
      () => `token_count = ${rng.digits(10)}`,
      () => `password: ${rng.chars('a', 1).repeat(rng.int(10, 20))}`,
      () => `token_url: https://auth.${rng.chars(LOWER, 6)}.com/oauth/token`,
      () => `secret: /run/secrets/${rng.chars(LOWER, 8)}`,
      () => 'password: false',
      () => `passwordless login is enabled for ${rng.chars(LOWER, 6)}`,
      () => `token: my_session_${rng.chars(LOWER, 8)}_value`,
      () => `password: process.env.${rng.chars(UPPER, 8)}`,
    ]),
};
