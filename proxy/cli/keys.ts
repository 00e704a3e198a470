import { readFileSync } from 'node:fs';
import { runKeysCommand } from './keys-command.js';

// `npm run keys -- …`: the process-facing shell around runKeysCommand (see keys-command.ts).
process.exitCode = runKeysCommand(process.argv.slice(2), {
  env: process.env,
  readStdin: () => readFileSync(0, 'utf8'),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
