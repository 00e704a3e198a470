import { readFileSync } from 'node:fs';
import { jwtVerify, createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { GatewayConfig } from '../config/schema.js';

export interface SessionClaims {
  readonly user: string;
  readonly tenantId: string;
  readonly tokenId: string | undefined;
}

/** Verifies Workjet app session JWTs; returns undefined for any invalid token (never says why to the client). */
export interface SessionVerifier {
  verify(token: string): Promise<SessionClaims | undefined>;
}

type JwtConfig = NonNullable<GatewayConfig['auth']['jwt']>;

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];

function keySource(config: JwtConfig): { key: Uint8Array | JWTVerifyGetKey; algorithms: string[] } | undefined {
  if (config.jwksUrl !== undefined) {
    // jose caches the set for cacheMaxAge, refetches on an unknown `kid` (at most once per cooldown) and aborts a slow fetch.
    const key = createRemoteJWKSet(new URL(config.jwksUrl), {
      timeoutDuration: config.jwksTimeoutMs,
      cacheMaxAge: config.jwksCacheMaxAgeMs,
      cooldownDuration: Math.min(30_000, config.jwksCacheMaxAgeMs),
    });
    return { key, algorithms: ASYMMETRIC };
  }
  if (config.jwksFile !== undefined) return { key: createLocalJWKSet(JSON.parse(readFileSync(config.jwksFile, 'utf8')) as JSONWebKeySet), algorithms: ASYMMETRIC };
  if (config.secret !== undefined) return { key: new TextEncoder().encode(config.secret), algorithms: ['HS256'] };
  return undefined;
}

/**
 * The time claims jose leaves open: a token must expire (`exp` is required by jwtVerify below),
 * must not live longer than `maxLifetimeSeconds` (counted from `iat`, or from now without one, so
 * a long-lived token cannot dodge the bound by omitting `iat`), and must not be issued in the future.
 */
function lifetimeOk(payload: JWTPayload, config: JwtConfig, nowSeconds: number): boolean {
  const { exp, iat } = payload;
  if (typeof exp !== 'number') return false;
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) return false;
  if (iat !== undefined && iat > nowSeconds + config.clockSkewSeconds) return false;
  const issued = iat ?? nowSeconds;
  return exp - issued <= config.maxLifetimeSeconds + config.clockSkewSeconds;
}

/** Builds the verifier from `auth.jwt` (HS256 secret, a JWKS file or a JWKS URL), or undefined when sessions are off. */
export function createSessionVerifier(config: GatewayConfig['auth']['jwt']): SessionVerifier | undefined {
  if (!config) return undefined;
  const source = keySource(config);
  if (!source) return undefined;
  const options = {
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
    algorithms: source.algorithms,
    requiredClaims: ['exp'],
    // jose checks exp and nbf (and the type of iat) with this tolerance.
    clockTolerance: config.clockSkewSeconds,
  };
  const { key } = source;
  return {
    async verify(token: string): Promise<SessionClaims | undefined> {
      try {
        const { payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
        if (!lifetimeOk(payload, config, Math.floor(Date.now() / 1000))) return undefined;
        const tid = payload['tid'];
        if (typeof payload.sub !== 'string' || typeof tid !== 'string') return undefined;
        return { user: payload.sub, tenantId: tid, tokenId: payload.jti };
      } catch {
        return undefined;
      }
    },
  };
}
