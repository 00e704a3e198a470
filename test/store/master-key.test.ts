// Provider keys at rest (proxy/store/master-key.ts): what an operator rotating WORKJET_MASTER_KEY
// and a tenant whose sealed row is copied elsewhere would notice. The rotation CLI itself is
// covered end to end in db-cli.test.ts; this pins the keyring it relies on.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { MasterKeyring } from '../../proxy/store/master-key.js';
import { StoreError } from '../../proxy/store/store-error.js';
import { Secret } from '../../proxy/identity/secret.js';

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const acmeOpenai = { tenantId: 'acme', provider: 'openai' };
const plain = 'sk-acme-provider-key-0001';

t.test('seal then open returns the key; the envelope never holds it in clear', async (t) => {
  const ring = new MasterKeyring({ WORKJET_MASTER_KEY: OLD });
  t.equal(ring.canSeal, true);
  const envelope = ring.seal(new Secret(plain), acmeOpenai);
  t.match(envelope, /^wjk1:[0-9a-f]{8}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
  t.notOk(envelope.includes(plain), 'no clear text');
  t.notOk(envelope.includes(Buffer.from(plain).toString('base64url')), 'nor its base64');
  t.equal(MasterKeyring.keyIdOf(envelope), ring.currentId, 'the envelope names the key that sealed it');
  t.equal(ring.open(envelope, acmeOpenai)?.reveal(), plain);
  t.not(ring.seal(new Secret(plain), acmeOpenai), envelope, 'a fresh IV per seal');
});

t.test('a sealed key copied to another provider row or another tenant does not open', async (t) => {
  const ring = new MasterKeyring({ WORKJET_MASTER_KEY: OLD });
  const envelope = ring.seal(new Secret(plain), acmeOpenai);
  t.equal(ring.open(envelope, { tenantId: 'globex', provider: 'openai' }), undefined, 'other tenant');
  t.equal(ring.open(envelope, { tenantId: 'acme', provider: 'anthropic' }), undefined, 'other provider');
});

t.test('a tampered or foreign envelope opens to nothing instead of throwing', async (t) => {
  const ring = new MasterKeyring({ WORKJET_MASTER_KEY: OLD });
  const [prefix, id, iv, tag, data] = ring.seal(new Secret(plain), acmeOpenai).split(':') as [string, string, string, string, string];
  const flipped = Buffer.from(data, 'base64url');
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  for (const [name, envelope] of [
    ['ciphertext changed', [prefix, id, iv, tag, flipped.toString('base64url')].join(':')],
    ['tag changed', [prefix, id, iv, Buffer.alloc(16).toString('base64url'), data].join(':')],
    ['unknown key id', [prefix, '00000000', iv, tag, data].join(':')],
    ['other format', `v0:${id}:${iv}:${tag}:${data}`],
    ['truncated', `${prefix}:${id}:${iv}`],
    ['clear text', plain],
  ] as const) {
    t.equal(ring.open(envelope, acmeOpenai), undefined, name);
  }
});

t.test('rotation: the previous key still opens old rows, new rows are sealed under the new key', async (t) => {
  const before = new MasterKeyring({ WORKJET_MASTER_KEY: OLD });
  const oldRow = before.seal(new Secret(plain), acmeOpenai);
  const during = new MasterKeyring({ WORKJET_MASTER_KEY: NEW, WORKJET_MASTER_KEY_PREVIOUS: OLD });
  t.equal(during.open(oldRow, acmeOpenai)?.reveal(), plain, 'the old row opens with the previous key');
  t.not(MasterKeyring.keyIdOf(oldRow), during.currentId, 'rotation can tell the row is not under the current key yet');
  const resealed = during.seal(new Secret(plain), acmeOpenai);
  t.equal(MasterKeyring.keyIdOf(resealed), during.currentId);
  const after = new MasterKeyring({ WORKJET_MASTER_KEY: NEW });
  t.equal(after.open(resealed, acmeOpenai)?.reveal(), plain, 'the resealed row opens once the previous key is gone');
  t.equal(after.open(oldRow, acmeOpenai), undefined, 'a row left behind does not open without the previous key');
});

t.test('no master key: nothing can be sealed, and the error says what to set', async (t) => {
  for (const env of [{}, { WORKJET_MASTER_KEY: '   ' }]) {
    const ring = new MasterKeyring(env);
    t.equal(ring.canSeal, false);
    t.equal(ring.currentId, undefined);
    const err = (() => {
      try {
        ring.seal(new Secret(plain), acmeOpenai);
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    t.type(err, StoreError);
    t.match(err, { code: 'master_key_missing', message: /set WORKJET_MASTER_KEY \(32 bytes, base64\)/ });
  }
});

t.test('a master key of the wrong length is refused at start, naming the variable and never echoing the value', async (t) => {
  const short = Buffer.alloc(16, 9).toString('base64');
  t.throws(() => new MasterKeyring({ WORKJET_MASTER_KEY: short }), { code: 'master_key_missing', message: /^WORKJET_MASTER_KEY must be 32 bytes .* decodes to 16 bytes$/ });
  t.throws(() => new MasterKeyring({ WORKJET_MASTER_KEY: OLD, WORKJET_MASTER_KEY_PREVIOUS: short }), { message: /^WORKJET_MASTER_KEY_PREVIOUS must be 32 bytes/ });
  try {
    new MasterKeyring({ WORKJET_MASTER_KEY: short });
  } catch (e) {
    t.notOk((e as Error).message.includes(short), 'the value is not in the message');
  }
});
