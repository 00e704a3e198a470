import t from 'tap';
import { createAccessLog, createLogger, type AccessLine } from '../../proxy/observability/logger.js';

function capture(): { lines: Record<string, unknown>[]; write(s: string): void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) };
}

const line: AccessLine = {
  requestId: 'req_1',
  route: 'chat',
  tenant: 'acme',
  user: 'bob',
  keyId: 'key-bob',
  model: 'fast',
  status: 200,
  code: undefined,
  disconnected: undefined,
  latencyMs: 1.5,
};

t.test('the access log writes one line per request through the logger destination', async (t) => {
  const out = capture();
  const logger = createLogger({ destination: out });
  const logAccess = createAccessLog(logger);
  logger.info({ other: 1 }, 'started');
  logAccess(line);
  t.equal(out.lines.length, 2, 'both loggers share the one destination');
  const access = out.lines[1];
  t.match(access, { level: 30, msg: 'request', service: 'workjet-gateway', requestId: 'req_1', tenant: 'acme', user: 'bob', status: 200, latencyMs: 1.5 });
  t.match(access?.['time'], /^\d{4}-\d\d-\d\dT/, 'ISO time, as the main logger writes');
  t.notOk('code' in (access ?? {}) || 'disconnected' in (access ?? {}), 'absent outcomes are left out');
});

t.test('the access log follows the logger level, also when it changes live', async (t) => {
  const out = capture();
  const logger = createLogger({ destination: out, level: 'warn' });
  const logAccess = createAccessLog(logger);
  logAccess(line);
  t.equal(out.lines.length, 0, 'no access line at warn');
  logger.level = 'info';
  logAccess({ ...line, requestId: 'req_2', code: 'rate_limit_exceeded', status: 429 });
  t.match(out.lines, [{ requestId: 'req_2', code: 'rate_limit_exceeded', status: 429 }], 'written once the level allows it');
});
