import t from 'tap';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, generateKeyPair, exportJWK, type JWTPayload } from 'jose';
import { createSessionVerifier } from '../../proxy/identity/session-verifier.js';
import { parseConfig } from '../../proxy/config/load-config.js';

const SECRET = 'issue15-session-secret-long-enough-0123456789';
const key = new TextEncoder().encode(SECRET);
const now = (): number => Math.floor(Date.now() / 1000);

/** `auth.jwt` as the config loader produces it (defaults applied). */
function jwtConfig(jwt: Record<string, unknown>) {
  const config = parseConfig({ auth: { jwt }, tenants: [{ id: 'acme', users: [{ id: 'alice', role: 'member' }] }] });
  return config.auth.jwt;
}

async function sign(claims: JWTPayload, options: { iat?: number | null } = {}): Promise<string> {
  const jwt = new SignJWT({ tid: 'acme', ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice');
  if (options.iat !== null) jwt.setIssuedAt(options.iat ?? now());
  return jwt.sign(key);
}

t.test('issue15-4 session-jwt-without-exp: exp is required, lifetime bounded, nbf/iat checked with clock skew', async (t) => {
  const verifier = createSessionVerifier(jwtConfig({ secret: SECRET, maxLifetimeSeconds: 3600, clockSkewSeconds: 30 }));
  if (!verifier) throw new Error('no verifier');
  const ok = async (token: string) => (await verifier.verify(token)) !== undefined;

  t.equal(await ok(await sign({ exp: now() + 600 })), true, 'a normal token is accepted');
  t.equal(await ok(await sign({})), false, 'a token without exp is refused');
  t.equal(await ok(await sign({}, { iat: null })), false, 'without exp and iat too');
  t.equal(await ok(await sign({ exp: now() + 7200 })), false, 'a lifetime over maxLifetimeSeconds is refused');
  t.equal(await ok(await sign({ exp: now() + 7200 }, { iat: null })), false, 'without iat, exp - now over the maximum is refused');
  t.equal(await ok(await sign({ exp: now() + 3000 }, { iat: null })), true, 'without iat, a short exp is accepted');
  t.equal(await ok(await sign({ exp: now() - 10 })), true, 'expired 10 s ago: within the 30 s skew');
  t.equal(await ok(await sign({ exp: now() - 120 }, { iat: now() - 600 })), false, 'expired 2 min ago: refused');
  t.equal(await ok(await sign({ exp: now() + 600, nbf: now() + 10 })), true, 'nbf 10 s ahead: within skew');
  t.equal(await ok(await sign({ exp: now() + 600, nbf: now() + 120 })), false, 'nbf 2 min ahead: refused');
  t.equal(await ok(await sign({ exp: now() + 600 }, { iat: now() + 120 })), false, 'iat 2 min in the future: refused');
  t.equal(await ok(await sign({ exp: now() + 600, iat: 'yesterday' } as unknown as JWTPayload, { iat: null })), false, 'a non-numeric iat is refused');

  const strict = createSessionVerifier(jwtConfig({ secret: SECRET, clockSkewSeconds: 0 }));
  t.equal(await strict?.verify(await sign({ exp: now() - 5 })), undefined, 'with clockSkewSeconds 0 an expired token is refused');
  t.equal(jwtConfig({ secret: SECRET })?.maxLifetimeSeconds, 86_400, 'default maximum lifetime: 24 h');
  t.equal(jwtConfig({ secret: SECRET })?.clockSkewSeconds, 30, 'default skew: 30 s');
});

t.test('issue15-4 session-jwks-url: keys from a URL, cached, refetched for a new kid, with a timeout', async (t) => {
  const first = await generateKeyPair('RS256', { extractable: true });
  const second = await generateKeyPair('RS256', { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(first.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  let fetches = 0;
  let hang = false;
  const server: Server = createServer((req, res) => {
    if (hang) return; // never answers: the timeout must fire
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const signWith = (privateKey: CryptoKey, kid: string) =>
    new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'RS256', kid }).setSubject('alice').setIssuedAt().setExpirationTime('10m').sign(privateKey);

  const verifier = createSessionVerifier(jwtConfig({ jwksUrl: url, jwksCacheMaxAgeMs: 1500, jwksTimeoutMs: 1000 }));
  if (!verifier) throw new Error('no verifier');
  const token1 = await signWith(first.privateKey, 'k1');
  t.match(await verifier.verify(token1), { user: 'alice', tenantId: 'acme' }, 'a token signed by a key of the URL is accepted');
  await verifier.verify(token1);
  await verifier.verify(token1);
  t.equal(fetches, 1, 'the key set is cached');

  jwks.keys.push({ ...(await exportJWK(second.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' });
  await new Promise((r) => setTimeout(r, 1600)); // past the cache age (and the refetch cooldown)
  t.match(await verifier.verify(await signWith(second.privateKey, 'k2')), { user: 'alice' }, 'a rotated-in key is fetched');
  t.ok(fetches >= 2, 'refetched');

  const forged = await signWith((await generateKeyPair('RS256')).privateKey, 'k1');
  t.equal(await verifier.verify(forged), undefined, 'a token signed by another key is refused');

  hang = true;
  const slow = createSessionVerifier(jwtConfig({ jwksUrl: url.replace('jwks.json', 'other.json'), jwksTimeoutMs: 200 }));
  const started = performance.now();
  t.equal(await slow?.verify(token1), undefined, 'a JWKS endpoint that does not answer: refused');
  t.ok(performance.now() - started < 2000, 'within the timeout');
});
