import { generateKeyPairSync } from 'node:crypto';
import { B64, B64URL, LOWER, roundRobin, whole, type Corpus, type Rng } from './rng.js';

const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function claims(rng: Rng): Record<string, unknown> {
  return { sub: rng.chars(LOWER, rng.int(3, 12)), iat: rng.int(1_500_000_000, 1_800_000_000), scope: rng.pick(['read', 'write', 'admin']), tid: rng.chars(LOWER, 6) };
}

export const jwtCorpus: Corpus = {
  detector: 'jwt',
  positives: (rng, n) =>
    Array.from({ length: n }, () => {
      const header = { alg: rng.pick(['HS256', 'RS256', 'ES256', 'EdDSA']), typ: 'JWT', ...(rng.next() < 0.3 ? { kid: rng.chars(B64URL, 8) } : {}) };
      return whole(`${b64url(header)}.${b64url(claims(rng))}.${rng.chars(B64URL, rng.pick([43, 86, 342]))}`);
    }),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => `${b64url({ typ: 'JWT' })}.${b64url(claims(rng))}.${rng.chars(B64URL, 43)}`,
      () => `${b64url(`{"alg":"HS256"${rng.chars(LOWER, 5)}`)}.${b64url(claims(rng))}.${rng.chars(B64URL, 43)}`,
      () => `${b64url({ alg: 'HS256' })}.${b64url(`{"sub":"${rng.chars(LOWER, 6)}"`)}.${rng.chars(B64URL, 43)}`,
      () => `${b64url({ alg: 'HS256' })}.${b64url(claims(rng))}`,
      () => `ey${rng.chars(B64URL, 20)}.ey${rng.chars(B64URL, 30)}.${rng.chars(B64URL, 43)}`,
      () => `${b64url({ alg: 'HS256' })}.${rng.chars(B64URL, 30)}.${rng.chars(B64URL, 43)}`,
    ]),
};

/** Fresh real keys of every kind Node exports (PKCS#8, SEC1, PKCS#1, encrypted). */
const REAL_KEYS: readonly (() => string)[] = [
  () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string,
  () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'corpus' }) as string,
  () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  () => generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  () => generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'corpus' }) as string,
];

function randomBlock(rng: Rng, label: string, lines: number): string {
  const body = Array.from({ length: lines }, () => rng.chars(B64, 64)).join('\n');
  return `-----BEGIN ${label}-----\n${body}\n${rng.chars(B64, 20)}=\n-----END ${label}-----`;
}

export const privateKeyCorpus: Corpus = {
  detector: 'private_key',
  positives: (rng, n) =>
    roundRobin(n, [
      ...REAL_KEYS.map((make) => () => whole(make().trimEnd())),
      () => whole(randomBlock(rng, 'OPENSSH PRIVATE KEY', rng.int(3, 12))),
      () => whole(randomBlock(rng, 'PGP PRIVATE KEY BLOCK', rng.int(3, 12))),
      () => whole(randomBlock(rng, 'DSA PRIVATE KEY', rng.int(3, 12))),
      // Inside JSON text (tool-call arguments): newlines are `\n` escapes.
      () => whole(randomBlock(rng, 'PRIVATE KEY', rng.int(3, 8)).replaceAll('\n', '\\n')),
      // A key pasted without its END line still leaks the key material.
      () => whole(randomBlock(rng, 'RSA PRIVATE KEY', rng.int(3, 8)).split('\n-----END')[0] as string),
    ]),
  nearMisses: (rng, n) =>
    roundRobin(n, [
      () => randomBlock(rng, 'PUBLIC KEY', rng.int(2, 6)),
      () => randomBlock(rng, 'CERTIFICATE', rng.int(2, 6)),
      () => '-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----',
      () => `-----BEGIN PRIVATE KEY-----\n<your ${rng.chars(LOWER, 4)} key here>\n-----END PRIVATE KEY-----`,
      () => `BEGIN RSA PRIVATE KEY ${rng.chars(B64, 64)} END RSA PRIVATE KEY`,
      () => `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(64)}\n${'x'.repeat(rng.int(10, 60))}\n-----END PRIVATE KEY-----`,
      () => `the -----BEGIN OPENSSH PRIVATE KEY----- header starts the file`,
    ]),
};
