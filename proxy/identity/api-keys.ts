import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Secret } from './secret.js';

/**
 * Workjet API keys: `wj_` + 43 base62 characters (62^43 ≈ 2^256, i.e. 32 random bytes of
 * entropy). Only the SHA-256 hex digest is stored; a key is looked up by its hash and the
 * match is confirmed in constant time.
 */
export const API_KEY_PREFIX = 'wj_';
export const API_KEY_BODY_LENGTH = 43;
/** Longest body accepted from a request; longer strings are not keys (bounds hashing work). */
const MAX_BODY_LENGTH = 128;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// 248 = 4 * 62: bytes at or above it are dropped so `byte % 62` is uniform (no modulo bias).
const UNBIASED_LIMIT = 248;

/** A fresh API key from the OS CSPRNG, base62 by rejection sampling. */
export function generateApiKey(): string {
  let body = '';
  while (body.length < API_KEY_BODY_LENGTH) {
    for (const byte of randomBytes(64)) {
      if (byte >= UNBIASED_LIMIT) continue;
      body += BASE62.charAt(byte % 62);
      if (body.length === API_KEY_BODY_LENGTH) break;
    }
  }
  return API_KEY_PREFIX + body;
}

function isBase62(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** True for `wj_` + 43..128 base62 characters: the shape identify treats as an API key (not a JWT). */
export function looksLikeApiKey(value: string): boolean {
  if (!value.startsWith(API_KEY_PREFIX)) return false;
  const length = value.length - API_KEY_PREFIX.length;
  if (length < API_KEY_BODY_LENGTH || length > MAX_BODY_LENGTH) return false;
  for (let i = API_KEY_PREFIX.length; i < value.length; i++) if (!isBase62(value.charCodeAt(i))) return false;
  return true;
}

/** SHA-256 of the key as 64 lowercase hex characters: the only form a key is stored in. */
export function hashApiKey(key: string | Secret): string {
  const plain = key instanceof Secret ? key.reveal() : key;
  return hash('sha256', plain, 'hex');
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/**
 * Compares two SHA-256 hex digests in constant time (the bytes, not the strings). Anything
 * that is not a 64-character lowercase hex digest compares unequal.
 */
export function apiKeyHashesEqual(a: string, b: string): boolean {
  if (!HEX_DIGEST.test(a) || !HEX_DIGEST.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** True when `key` hashes to `sha256Hex`, compared in constant time. */
export function verifyApiKey(key: string | Secret, sha256Hex: string): boolean {
  return apiKeyHashesEqual(hashApiKey(key), sha256Hex);
}
