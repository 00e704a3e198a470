// The bench's CPU figure of a target counts the work of its child processes too (the audit sink's
// sync helper runs `sync` in a long-lived child), whether they are still running or already reaped.
import t from 'tap';
import { spawn } from 'node:child_process';
import { readCpuMs } from '../../bench/process-sampler.js';

// Burns ~400 ms of CPU in a child, then either keeps it alive or lets it exit, and idles.
const PARENT = `
const { spawn } = require('node:child_process');
const burn = 'const end = Date.now() + 400; while (Date.now() < end) {} console.log("burnt"); ' + (process.argv[1] === 'live' ? 'setInterval(() => {}, 1000);' : '');
const child = spawn(process.execPath, ['-e', burn], { stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.once('data', () => setTimeout(() => console.log('ready'), 100));
setInterval(() => {}, 1000);
`;

function startParent(mode: 'live' | 'reaped'): Promise<{ pid: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const parent = spawn(process.execPath, ['-e', PARENT, mode], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    parent.on('error', reject);
    parent.stdout.once('data', () => resolve({ pid: parent.pid as number, stop: () => process.kill(-(parent.pid as number), 'SIGKILL') }));
  });
}

for (const mode of ['live', 'reaped'] as const) {
  t.test(`a ${mode} child's CPU counts towards its parent's`, async (t) => {
    const parent = await startParent(mode);
    t.teardown(parent.stop);
    const cpuMs = readCpuMs(parent.pid);
    t.ok(cpuMs !== undefined && cpuMs >= 300, `the parent itself only idled, yet ${cpuMs} ms are counted`);
  });
}

t.test('a process that is gone has no figure', async (t) => {
  t.equal(readCpuMs(2 ** 22 + 12345), undefined);
});
