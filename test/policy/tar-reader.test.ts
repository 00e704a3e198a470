// The bundle's tar reader against archives written by the system tar (ustar, GNU long names,
// PAX) and damaged ones.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTar } from '../../proxy/policy/tar-reader.js';
import { tempDir } from './policy-fixtures.js';

function archive(t: Parameters<typeof tempDir>[0], format: string): Buffer {
  const dir = tempDir(t);
  const src = join(dir, 'src');
  const long = 'd'.repeat(60) + '/' + 'n'.repeat(80);
  mkdirSync(join(src, 'd'.repeat(60)), { recursive: true });
  writeFileSync(join(src, 'data.json'), '{"a":1}');
  writeFileSync(join(src, 'policy.wasm'), Buffer.alloc(1500, 7));
  writeFileSync(join(src, long), 'long');
  execFileSync('tar', [`--format=${format}`, '-cf', join(dir, 'a.tar'), '-C', src, '.'], { stdio: 'ignore' });
  return readFileSync(join(dir, 'a.tar'));
}

for (const format of ['ustar', 'gnu', 'pax']) {
  t.test(`reads ${format} archives`, async (t) => {
    const files = readTar(archive(t, format));
    t.equal(files.get('data.json')?.toString(), '{"a":1}');
    t.same(files.get('policy.wasm'), Buffer.alloc(1500, 7));
    if (format !== 'ustar') t.equal(files.get('d'.repeat(60) + '/' + 'n'.repeat(80))?.toString(), 'long', 'long names');
  });
}

t.test('rejects damaged archives', async (t) => {
  const good = archive(t, 'gnu');
  const flipped = Buffer.from(good);
  flipped[10] = (flipped[10] ?? 0) ^ 0xff;
  t.throws(() => readTar(flipped), /checksum/);
  t.throws(() => readTar(good.subarray(0, 700)), /truncated/);
  t.throws(() => readTar(good.subarray(0, 512 * 4)), /truncated|end marker/);
});
