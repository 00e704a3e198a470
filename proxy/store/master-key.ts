import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Secret } from '../identity/secret.js';
import { StoreError } from './store-error.js';
import type { StoreEnv } from './open-store.js';

/**
 * Provider keys at rest: AES-256-GCM under `WORKJET_MASTER_KEY` (32 bytes, base64). The
 * envelope is `wjk1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts), where keyId is the
 * first 8 hex characters of SHA-256(master key), so a rotation can tell which key sealed a
 * row; the additional data binds the envelope to its tenant and provider name, so a sealed
 * key copied to another row (or tenant) does not open. `WORKJET_MASTER_KEY_PREVIOUS` is
 * accepted for opening only, while `npm run db:rotate-master-key` re-seals every row.
 */
const PREFIX = 'wjk1';

interface KeyMaterial {
  readonly id: string;
  readonly bytes: Buffer;
}

function parseMasterKey(value: string | undefined, variable: string): KeyMaterial | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const bytes = Buffer.from(value.trim(), 'base64');
  if (bytes.length !== 32) throw new StoreError('master_key_missing', `${variable} must be 32 bytes encoded as base64 (e.g. \`openssl rand -base64 32\`); it decodes to ${bytes.length} bytes`);
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}

/** The master key(s) from the environment; sealing needs the current one, opening accepts either. */
export class MasterKeyring {
  readonly #current: KeyMaterial | undefined;
  readonly #previous: KeyMaterial | undefined;

  constructor(env: StoreEnv) {
    this.#current = parseMasterKey(env.WORKJET_MASTER_KEY, 'WORKJET_MASTER_KEY');
    this.#previous = parseMasterKey(env.WORKJET_MASTER_KEY_PREVIOUS, 'WORKJET_MASTER_KEY_PREVIOUS');
  }

  /** True when provider keys can be stored. */
  get canSeal(): boolean {
    return this.#current !== undefined;
  }

  /** The id of the key `seal` uses (for rotation reports). */
  get currentId(): string | undefined {
    return this.#current?.id;
  }

  /** Encrypts a provider key for one tenant's provider row. Without a master key: StoreError('master_key_missing'). */
  seal(plain: Secret, binding: { tenantId: string; provider: string }): string {
    const key = this.#current;
    if (!key) throw new StoreError('master_key_missing', 'provider keys cannot be stored: set WORKJET_MASTER_KEY (32 bytes, base64) in the gateway environment to encrypt them at rest');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.bytes, iv);
    cipher.setAAD(aad(binding));
    const ciphertext = Buffer.concat([cipher.update(plain.reveal(), 'utf8'), cipher.final()]);
    return [PREFIX, key.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
  }

  /** Decrypts an envelope sealed for this binding; undefined when no configured key opens it. */
  open(envelope: string, binding: { tenantId: string; provider: string }): Secret | undefined {
    const [prefix, keyId, iv, tag, data] = envelope.split(':');
    if (prefix !== PREFIX || iv === undefined || tag === undefined || data === undefined) return undefined;
    const key = [this.#current, this.#previous].find((k) => k?.id === keyId);
    if (!key) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
      decipher.setAAD(aad(binding));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return new Secret(Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8'));
    } catch {
      return undefined;
    }
  }

  /** The key id an envelope names (rotation skips rows already under the current key). */
  static keyIdOf(envelope: string): string | undefined {
    return envelope.split(':')[1];
  }
}

function aad(binding: { tenantId: string; provider: string }): Buffer {
  return Buffer.from(`workjet-provider-key\0${binding.tenantId}\0${binding.provider}`, 'utf8');
}
