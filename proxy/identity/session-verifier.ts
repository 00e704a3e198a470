import { readFileSync } from 'node:fs';
import { jwtVerify, createLocalJWKSet, type JWTVerifyGetKey, type JSONWebKeySet } from 'jose';
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

/** Builds the verifier from `auth.jwt` (HS256 secret or a JWKS file), or undefined when sessions are off. */
export function createSessionVerifier(config: GatewayConfig['auth']['jwt']): SessionVerifier | undefined {
  if (!config) return undefined;
  const options = {
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  };
  let keyInput: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (config.jwksFile !== undefined) {
    keyInput = createLocalJWKSet(JSON.parse(readFileSync(config.jwksFile, 'utf8')) as JSONWebKeySet);
    algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];
  } else if (config.secret !== undefined) {
    keyInput = new TextEncoder().encode(config.secret);
    algorithms = ['HS256'];
  } else {
    return undefined;
  }
  return {
    async verify(token: string): Promise<SessionClaims | undefined> {
      try {
        const { payload } =
          typeof keyInput === 'function'
            ? await jwtVerify(token, keyInput, { ...options, algorithms })
            : await jwtVerify(token, keyInput, { ...options, algorithms });
        const tid = payload['tid'];
        if (typeof payload.sub !== 'string' || typeof tid !== 'string') return undefined;
        return { user: payload.sub, tenantId: tid, tokenId: payload.jti };
      } catch {
        return undefined;
      }
    },
  };
}
